/**
 * Container images of the operator and the node agent, built without a container engine or a
 * registry: a Java runtime linked from the build JDK, the C library files it needs copied from
 * this machine's Debian packages (named in the image's labels), and the applications, written as
 * reproducible OCI image-layout tarballs (fixed timestamps and owners, sorted entries: the same
 * inputs give the same digest) that {@code ctr images import} and {@code kind load image-archive}
 * read.
 */
package dev.jvisor.images;
