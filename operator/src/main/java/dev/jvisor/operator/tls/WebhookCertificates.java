package dev.jvisor.operator.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Makes a CA and a serving certificate signed by it (ECDSA P-256). The CA's key is not kept: a rotation makes a
 * new CA, and the caBundle carries the old and new CA while the change propagates.
 */
public final class WebhookCertificates {

    private static final String SIGNATURE = "SHA256withECDSA";
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebhookCertificates() {
    }

    /** PEM text of a CA certificate, a serving certificate, and the serving key (PKCS#8). */
    public record Issued(String caPem, String certificatePem, String keyPem, Instant notAfter) {
    }

    /**
     * Issues a serving certificate for {@code dnsNames} (the first is also the subject CN), valid from a minute
     * ago (clock skew) for {@code validity}.
     */
    public static Issued issue(List<String> dnsNames, Instant now, Duration validity) {
        if (dnsNames.isEmpty()) {
            throw new IllegalArgumentException("a serving certificate needs at least one DNS name");
        }
        try {
            Date notBefore = Date.from(now.minus(Duration.ofMinutes(1)));
            Instant notAfterInstant = now.plus(validity);
            Date notAfter = Date.from(notAfterInstant);
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();

            KeyPair caKeys = newKeyPair();
            X500Name caName = new X500Name("CN=jvisor-webhook-ca " + now.getEpochSecond());
            JcaX509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caName, serial(), notBefore, notAfter,
                    caName, caKeys.getPublic());
            ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            ca.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            ca.addExtension(Extension.subjectKeyIdentifier, false,
                    extensions.createSubjectKeyIdentifier(caKeys.getPublic()));
            X509Certificate caCert = sign(ca, caKeys);

            KeyPair servingKeys = newKeyPair();
            JcaX509v3CertificateBuilder serving = new JcaX509v3CertificateBuilder(caCert, serial(), notBefore,
                    notAfter, new X500Name("CN=" + dnsNames.getFirst()), servingKeys.getPublic());
            serving.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            serving.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            serving.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            serving.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(dnsNames.stream()
                    .map(name -> new GeneralName(GeneralName.dNSName, name)).toArray(GeneralName[]::new)));
            serving.addExtension(Extension.authorityKeyIdentifier, false,
                    extensions.createAuthorityKeyIdentifier(caCert));
            X509Certificate servingCert = sign(serving, caKeys);

            return new Issued(pem(caCert), pem(servingCert), pem(servingKeys.getPrivate()), notAfterInstant);
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new CertificateGenerationException("could not issue the webhook certificate", e);
        }
    }

    /** When the first certificate in {@code pem} expires. */
    public static Instant notAfter(String pem) {
        try {
            var factory = java.security.cert.CertificateFactory.getInstance("X.509");
            var certificate = (X509Certificate) factory.generateCertificate(
                    new java.io.ByteArrayInputStream(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            return certificate.getNotAfter().toInstant();
        } catch (GeneralSecurityException e) {
            throw new CertificateGenerationException("not a PEM certificate", e);
        }
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder builder, KeyPair issuerKeys)
            throws OperatorCreationException, GeneralSecurityException {
        X509CertificateHolder holder = builder.build(new JcaContentSignerBuilder(SIGNATURE)
                .build(issuerKeys.getPrivate()));
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    private static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object instanceof java.security.PrivateKey key
                    ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null) : object);
        }
        return out.toString();
    }
}
