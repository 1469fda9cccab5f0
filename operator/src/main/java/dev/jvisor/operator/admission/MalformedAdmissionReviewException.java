package dev.jvisor.operator.admission;

/** The request body is not a usable admission.k8s.io/v1 AdmissionReview; answered with HTTP 400. */
public final class MalformedAdmissionReviewException extends Exception {

    public MalformedAdmissionReviewException(String message) {
        super(message);
    }
}
