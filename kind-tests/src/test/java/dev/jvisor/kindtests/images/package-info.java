/**
 * Tests of the operator and node agent images the images module builds: read as OCI archives
 * (configuration, labels and files against what the chart's templates assume and what this
 * machine's packages are), and run (in {@code dev.jvisor.kindtests.node.ImageRunTest}) by a
 * private containerd with runc.
 */
package dev.jvisor.kindtests.images;
