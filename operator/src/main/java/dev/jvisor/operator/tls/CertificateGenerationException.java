package dev.jvisor.operator.tls;

/** A key pair or certificate could not be generated or encoded. */
public final class CertificateGenerationException extends RuntimeException {

    public CertificateGenerationException(String message, Throwable cause) {
        super(message, cause);
    }
}
