package dev.jvisor.nodeagent.status;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The agent's HTTP endpoints for kubelet probes and Prometheus: {@code /healthz} (the process
 * answers), {@code /readyz} (jVisor is installed and proven here; 503 otherwise) and
 * {@code /metrics}. Read-only, GET and HEAD only; nothing here changes the node.
 */
public final class StatusServer implements AutoCloseable {

    private final HttpServer server;

    public StatusServer(InetSocketAddress address, AgentStatus status) throws IOException {
        server = HttpServer.create(address, 16);
        server.createContext("/healthz", exchange -> respond(exchange, 200, "text/plain", "ok\n"));
        server.createContext("/readyz", exchange -> respond(exchange, status.ready() ? 200 : 503, "text/plain",
                status.ready() ? "ready\n" : "not ready\n"));
        server.createContext("/metrics", exchange -> respond(exchange, 200,
                "text/plain; version=0.0.4; charset=utf-8", status.metrics()));
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange exchange, int code, String type, String body) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", type);
            if (method.equals("HEAD")) {
                exchange.sendResponseHeaders(code, -1);
                return;
            }
            exchange.sendResponseHeaders(code, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
