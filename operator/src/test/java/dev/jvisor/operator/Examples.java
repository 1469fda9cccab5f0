package dev.jvisor.operator;

import dev.jvisor.api.v1alpha1.SandboxPolicy;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Loads the kubectl examples shipped in operator/examples, so tests exercise exactly what users apply. */
public final class Examples {

    public static final Path DIRECTORY = Path.of("examples");

    private Examples() {
    }

    /** The objects of an example file, SandboxPolicies bound to the Java model. */
    public static List<HasMetadata> load(KubernetesClient client, String file) {
        try (InputStream in = Files.newInputStream(DIRECTORY.resolve(file))) {
            return client.load(in).items().stream().map(Examples::typed).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static SandboxPolicy policy(KubernetesClient client, String file) {
        return load(client, file).stream().filter(SandboxPolicy.class::isInstance).map(SandboxPolicy.class::cast)
                .findFirst().orElseThrow(() -> new AssertionError(file + " holds no SandboxPolicy"));
    }

    /** Creates (or updates) every object of the example file, as {@code kubectl apply -f} would. */
    public static List<HasMetadata> apply(KubernetesClient client, String file) {
        List<HasMetadata> items = load(client, file);
        for (HasMetadata item : items) {
            client.resource(item).createOr(NonDeletingOperation::update);
        }
        return items;
    }

    private static HasMetadata typed(HasMetadata item) {
        if (item instanceof GenericKubernetesResource generic && "SandboxPolicy".equals(generic.getKind())) {
            return Serialization.jsonMapper().convertValue(generic, SandboxPolicy.class);
        }
        return item;
    }
}
