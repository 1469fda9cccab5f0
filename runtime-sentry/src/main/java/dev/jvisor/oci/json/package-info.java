/**
 * A small, strict JSON (RFC 8259) tree model, parser and writer for the runtime's OCI files.
 *
 * <p>The runtime keeps no third-party dependency (small trusted base, fast start), so it owns
 * this. The parser is built for hostile input: bounded nesting depth, duplicate member names
 * rejected (two parsers reading one config.json must never disagree about it), every error a
 * {@link dev.jvisor.oci.json.JsonSyntaxException} with the byte offset where it was found.
 */
package dev.jvisor.oci.json;
