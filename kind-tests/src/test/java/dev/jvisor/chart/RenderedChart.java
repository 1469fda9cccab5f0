package dev.jvisor.chart;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.regex.Pattern;

/**
 * The objects {@code helm template} renders from the chart for one set of values, typed by fabric8,
 * hook objects (the install and uninstall jobs) included.
 */
final class RenderedChart {

    static final String RELEASE = "jvisor";
    static final String NAMESPACE = "jvisor-system";

    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private final List<HasMetadata> objects;

    private RenderedChart(List<HasMetadata> objects) {
        this.objects = List.copyOf(objects);
    }

    /** Renders with the chart's defaults plus the named files from {@code src/test/resources/values}. */
    static RenderedChart withValuesFiles(String... valuesFiles) {
        return render(Map.of(), valuesFiles);
    }

    /** Renders with {@code --set key=value} pairs on top of the named values files. */
    static RenderedChart render(Map<String, Object> sets, String... valuesFiles) {
        TemplateCommand template = new Helm(HookVisibleChart.path()).template()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withKubeVersion("1.31.0");
        for (String file : valuesFiles) {
            template = template.withValuesFile(Repository.testValues(file));
        }
        for (var entry : sets.entrySet()) {
            template = template.set(entry.getKey(), entry.getValue());
        }
        return new RenderedChart(parse(template.call()));
    }

    /** Parses multi-document YAML as Helm prints it; empty documents (disabled templates) are skipped. */
    static List<HasMetadata> parse(String yaml) {
        List<HasMetadata> parsed = new ArrayList<>();
        for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
            if (document.lines().allMatch(line -> line.isBlank() || line.stripLeading().startsWith("#"))) {
                continue;
            }
            KubernetesResource resource = SERIALIZATION.unmarshal(document, KubernetesResource.class);
            if (!(resource instanceof HasMetadata object)) {
                throw new IllegalStateException("rendered document is not a Kubernetes object:\n" + document);
            }
            parsed.add(HookVisibleChart.restoreHookAnnotations(object));
        }
        return parsed;
    }

    List<HasMetadata> objects() {
        return objects;
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> type, String name) {
        List<T> matching = all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).toList();
        if (matching.size() != 1) {
            throw new NoSuchElementException(matching.size() + " " + type.getSimpleName() + " named " + name
                    + " rendered; objects: " + summary());
        }
        return matching.getFirst();
    }

    /** Objects of a kind fabric8 has no model for (cert-manager, Prometheus Operator, jVisor's own). */
    List<GenericKubernetesResource> generic(String kind) {
        return all(GenericKubernetesResource.class).stream().filter(o -> kind.equals(o.getKind())).toList();
    }

    /** kind/name of every object, for failure messages. */
    Map<String, String> summary() {
        Map<String, String> names = new LinkedHashMap<>();
        objects.forEach(o -> names.merge(o.getKind(), o.getMetadata().getName(), (a, b) -> a + "," + b));
        return names;
    }

    /** Path of a values file used by the tests. */
    static Path valuesFile(String name) {
        return Repository.testValues(name);
    }
}
