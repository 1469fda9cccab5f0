/**
 * The OCI runtime-spec documents runsc reads and writes: the bundle's {@code config.json}
 * ({@link dev.jvisor.oci.OciSpec}, read by {@link dev.jvisor.oci.OciConfigReader}, written by
 * {@link dev.jvisor.oci.OciConfigWriter}) and the container state ({@link dev.jvisor.oci.OciState}).
 *
 * <p>config.json comes from whoever created the bundle, so it is untrusted input: the reader
 * accepts only well-typed values in range and fails with an {@link dev.jvisor.oci.OciConfigException}
 * that names the offending field ({@code process.user.uid}, {@code mounts[2].destination}). As
 * the runtime-spec requires, properties it does not know are ignored.
 */
package dev.jvisor.oci;
