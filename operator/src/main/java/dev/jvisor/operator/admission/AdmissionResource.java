package dev.jvisor.operator.admission;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jvisor.operator.config.OperatorConfig;
import dev.jvisor.operator.metrics.OperatorMetrics;
import dev.jvisor.operator.metrics.OperatorMetrics.Decision;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.jboss.logging.Logger;

/**
 * The HTTPS endpoints the API server calls. Each takes the raw body so that every malformed review is answered
 * by this class with HTTP 400 and a message, not by a framework error page.
 */
@Path("/admission")
@Consumes(MediaType.WILDCARD)
@Produces(MediaType.APPLICATION_JSON)
public class AdmissionResource {

    public static final String MUTATE_PODS = "mutate-pods";
    public static final String VALIDATE_PODS = "validate-pods";
    public static final String VALIDATE_POLICIES = "validate-sandboxpolicies";
    private static final Logger LOG = Logger.getLogger(AdmissionResource.class);

    private final ObjectMapper mapper = Serialization.jsonMapper();
    private final AdmissionReviewParser parser = new AdmissionReviewParser(mapper);
    private final PodMutation mutation;
    private final PodValidation podValidation;
    private final PolicyValidation policyValidation;
    private final OperatorMetrics metrics;

    @Inject
    public AdmissionResource(KubernetesClient client, OperatorConfig config, OperatorMetrics metrics) {
        this(new KubernetesClusterLookup(client), config, metrics);
    }

    AdmissionResource(ClusterLookup cluster, OperatorConfig config, OperatorMetrics metrics) {
        GoverningPolicy governing = new GoverningPolicy(cluster, config);
        this.mutation = new PodMutation(governing);
        this.podValidation = new PodValidation(governing);
        this.policyValidation = new PolicyValidation(cluster, mapper);
        this.metrics = metrics;
    }

    @POST
    @Path(MUTATE_PODS)
    public Response mutatePods(String body) {
        return answer(MUTATE_PODS, body, request -> mutation.review(request, pod(request)));
    }

    @POST
    @Path(VALIDATE_PODS)
    public Response validatePods(String body) {
        return answer(VALIDATE_PODS, body, request -> podValidation.review(request, pod(request)));
    }

    @POST
    @Path(VALIDATE_POLICIES)
    public Response validatePolicies(String body) {
        return answer(VALIDATE_POLICIES, body, request -> {
            requireKind(request, "jvisor.dev", "SandboxPolicy");
            return policyValidation.review(request);
        });
    }

    private interface Review {
        AdmissionVerdict decide(AdmissionRequest request)
                throws MalformedAdmissionReviewException, ClusterLookupException;
    }

    private Response answer(String webhook, String body, Review review) {
        AdmissionRequest request;
        try {
            request = parser.parse(body);
        } catch (MalformedAdmissionReviewException e) {
            metrics.admission(webhook, null, Decision.REJECTED_MALFORMED);
            return badRequest(e.getMessage());
        }
        AdmissionVerdict verdict;
        try {
            verdict = review.decide(request);
        } catch (MalformedAdmissionReviewException e) {
            metrics.admission(webhook, null, Decision.REJECTED_MALFORMED);
            return badRequest(e.getMessage());
        } catch (ClusterLookupException e) {
            LOG.warnf("%s: refusing request %s: %s", webhook, request.uid(), e.getMessage());
            verdict = AdmissionVerdict.unavailable("jVisor could not decide: " + e.getMessage());
        } catch (RuntimeException e) {
            // A bug must not turn into a 500 page, nor into an admitted pod: refuse in-band and log it.
            LOG.errorf(e, "%s: failed on request %s", webhook, request.uid());
            verdict = AdmissionVerdict.unavailable("jVisor failed to review this request (" + e.getClass()
                    .getSimpleName() + "); see the operator log");
        }
        metrics.admission(webhook, verdict.policy(),
                !verdict.allowed() ? Decision.DENIED : verdict.mutates() ? Decision.MUTATED : Decision.ALLOWED);
        return respond(request.uid(), verdict);
    }

    private Pod pod(AdmissionRequest request) throws MalformedAdmissionReviewException {
        requireKind(request, "", "Pod");
        try {
            return mapper.treeToValue(request.object(), Pod.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new MalformedAdmissionReviewException("request.object is not a Pod: "
                    + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
    }

    private static void requireKind(AdmissionRequest request, String group, String kind)
            throws MalformedAdmissionReviewException {
        if (!group.equals(request.group()) || !kind.equals(request.kind())) {
            throw new MalformedAdmissionReviewException("this webhook reviews " + (group.isEmpty() ? "" : group + "/")
                    + kind + ", not " + (request.group().isEmpty() ? "" : request.group() + "/") + request.kind()
                    + "; check the webhook configuration's rules");
        }
    }

    private Response respond(String uid, AdmissionVerdict verdict) {
        ObjectNode review = mapper.createObjectNode();
        review.put("apiVersion", AdmissionReviewParser.API_VERSION);
        review.put("kind", AdmissionReviewParser.KIND);
        ObjectNode response = review.putObject("response");
        response.put("uid", uid);
        response.put("allowed", verdict.allowed());
        if (!verdict.allowed()) {
            ObjectNode status = response.putObject("status");
            status.put("code", verdict.code());
            status.put("message", verdict.message());
        }
        if (verdict.mutates()) {
            try {
                byte[] patch = mapper.writeValueAsBytes(verdict.patch());
                response.put("patchType", "JSONPatch");
                response.put("patch", Base64.getEncoder().encodeToString(patch));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a JSON patch of strings and maps always serializes", e);
            }
        }
        if (!verdict.warnings().isEmpty()) {
            verdict.warnings().forEach(response.putArray("warnings")::add);
        }
        return Response.ok(review.toString().getBytes(StandardCharsets.UTF_8), MediaType.APPLICATION_JSON).build();
    }

    private Response badRequest(String message) {
        ObjectNode error = mapper.createObjectNode();
        error.put("message", message);
        return Response.status(Response.Status.BAD_REQUEST).entity(error.toString())
                .type(MediaType.APPLICATION_JSON).build();
    }
}
