/**
 * The admission webhooks: {@code admission.k8s.io/v1} AdmissionReview in, verdict (with a JSONPatch when mutating)
 * out. The mutating pod webhook gives pods of enforcing policies their RuntimeClass and {@code jvisor.dev/*}
 * annotations; the validating pod webhook rejects pods that opt out of an enforcing policy; the policy webhook
 * explains what is wrong with a SandboxPolicy. Malformed reviews get HTTP 400 with a message; a failure to look
 * up cluster state refuses the request (fail closed) rather than letting an unsandboxed pod through.
 */
package dev.jvisor.operator.admission;
