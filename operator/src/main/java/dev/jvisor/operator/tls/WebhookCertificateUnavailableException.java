package dev.jvisor.operator.tls;

/**
 * The webhook HTTPS server has no certificate to serve: the operator could not make one (for example, the API
 * server is unreachable) or the mounted one cannot be read. The operator cannot start without it.
 */
public final class WebhookCertificateUnavailableException extends RuntimeException {

    public WebhookCertificateUnavailableException(String message, Throwable cause) {
        super("webhook certificate unavailable: " + message, cause);
    }
}
