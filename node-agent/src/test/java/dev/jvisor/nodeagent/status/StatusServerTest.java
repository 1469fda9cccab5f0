package dev.jvisor.nodeagent.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class StatusServerTest {

    private static HttpResponse<String> send(HttpClient http, StatusServer server, String method, String path)
            throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void readinessFollowsTheInstallAndMetricsCountWhatHappened() throws Exception {
        AgentStatus status = new AgentStatus("0.1.0", "jvisor");
        try (StatusServer server = new StatusServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), status);
                HttpClient http = HttpClient.newHttpClient()) {
            assertThat(send(http, server, "GET", "/healthz").statusCode()).isEqualTo(200);
            assertThat(send(http, server, "GET", "/readyz").statusCode()).isEqualTo(503);

            status.containerdRestarted();
            status.installed();
            assertThat(send(http, server, "GET", "/readyz").statusCode()).isEqualTo(200);
            status.failed("PROBE");
            assertThat(send(http, server, "GET", "/readyz").statusCode()).isEqualTo(503);
            status.installed();
            status.uninstalling();
            assertThat(send(http, server, "GET", "/readyz").statusCode()).isEqualTo(503);
            status.uninstalled();

            HttpResponse<String> metrics = send(http, server, "GET", "/metrics");
            assertThat(metrics.headers().firstValue("Content-Type")).get().asString().startsWith("text/plain; version=0.0.4");
            assertThat(metrics.body()).contains("jvisor_node_agent_ready 0\n")
                    .contains("jvisor_node_agent_installs_total 2\n")
                    .contains("jvisor_node_agent_uninstalls_total 1\n")
                    .contains("jvisor_node_agent_containerd_restarts_total 1\n")
                    .contains("jvisor_node_agent_failures_total{step=\"PROBE\"} 1\n")
                    .contains("jvisor_node_agent_info{version=\"0.1.0\",handler=\"jvisor\"} 1\n");
            for (String line : metrics.body().split("\n")) {
                assertThat(line).as("exposition line").matches("# (HELP|TYPE) .*|[a-z_]+(\\{.*\\})? \\d+");
            }
        }
    }

    @Test
    void onlyReadsAreAllowed() throws Exception {
        try (StatusServer server = new StatusServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new AgentStatus("1", "jvisor")); HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> post = send(http, server, "POST", "/readyz");
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
            assertThat(send(http, server, "HEAD", "/healthz").statusCode()).isEqualTo(200);
            assertThat(send(http, server, "GET", "/nothing-here").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void labelValuesAreEscaped() {
        assertThat(AgentStatus.label("a\"b\\c\nd")).isEqualTo("a\\\"b\\\\c\\nd");
    }
}
