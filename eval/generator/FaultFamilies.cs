using System.Globalization;

namespace OpsAssistant.EvalGenerator;

/// <summary>
/// Randomized families of repeated calls, errors and time spent in a span's own work. Each builder plants one fault in a
/// randomly named and sized request and returns the span it planted.
/// </summary>
internal static class FaultFamilies
{
    public static IEnumerable<Family> All() =>
    [
        new("n-plus-one-overlap", "A strictly sequential loop of identical calls whose recorded times overlap their neighbours by up to 0.5 ms (late end timestamps, clock jitter).", 6,
            (s, _) => Loop(s, overlap: true)),
        new("n-plus-one-serial", "A sequential loop of identical calls with small gaps, beside a legitimate concurrent fan-out.", 6,
            (s, _) => Loop(s, overlap: false)),
        new("retry-unreachable", "The same call re-sent with back-off to a dependency that records nothing (connection refused or read timeout).", 6,
            (s, _) => RetryUnreachable(s)),
        new("retry-callee-cause", "A retry storm whose callee shows why every attempt timed out (lock wait, pool exhaustion or a slow query); labelled with the callee's cause.", 6,
            RetryCalleeCause),
        new("error-propagation", "An exception deep in a call chain propagated as errors through every caller; a call that failed once and was retried successfully is a decoy.", 6,
            (s, _) => ErrorPropagation(s)),
        new("sibling-errors", "Two errored branches: the earlier failure is the cause, the later (sometimes deeper) one its consequence.", 6,
            (s, _) => SiblingErrors(s)),
        new("cascading-timeout", "A chain of timeouts: the innermost call's deadline expired first and every caller timed out after it.", 6,
            (s, _) => CascadingTimeout(s)),
        new("proxy-timeout-masked", "An edge proxy answers 504 at its route timeout; the only errored span is the proxy, the OK handler below spent the budget in its own work.", 6,
            (s, _) => ProxyTimeout(s)),
        new("latency-self-time", "A handler spends most of the request in its own code between fast children.", 6,
            (s, _) => SelfTime(s)),
        new("serialization-payload", "Serialising a very large response costs most of the request (large message size attributes).", 6,
            Serialization),
        new("slow-query", "One database query without a usable index takes most of the request among fast queries.", 6,
            (s, _) => SlowQuery(s)),
        new("circuit-breaker-external", "An external API answers slowly until the client's circuit breaker opens; the fast 'circuit open' failures after it are symptoms.", 6,
            (s, _) => CircuitBreaker(s)),
    ];

    private static RootCauseLabel Loop(Shape s, bool overlap)
    {
        var root = s.Root(s.NewRole(), "list");
        var t = s.Noise(root, 0.5, s.R.Next(0, 3));
        var hostRole = s.NewRole();
        var host = s.Call(root, hostRole, "list", t + 0.3, 0);
        var item = s.NewRole();
        var style = s.R.Next(3);
        var n = style == 1 ? 40 + s.R.Next(60) : 20 + s.R.Next(50);
        var x = s.End(s.Db(host, "SELECT", hostRole, t + 1, s.B.Jitter(1, 4))) + 0.3;
        GenSpan? first = null;
        for (var i = 0; i < n; i++)
        {
            var d = style == 1 ? s.B.Jitter(0.8, 2.5) : s.B.Jitter(3, 10);
            var call = style switch
            {
                0 => s.Db(host, "SELECT", item, x, d, $"SELECT * FROM {item} WHERE id = ?"),
                1 => s.Cache(host, "HGET", x, d),
                _ => s.Call(host, item, "get", x, d).Parent!,
            };
            first ??= call;
            x += overlap ? d - s.B.Jitter(0, 0.5) : d + s.B.Jitter(0.05, 0.5);
        }

        var fan = 0;
        if (!overlap || s.R.Next(2) == 0)
        {
            fan = 4 + s.R.Next(9);
            var role = s.NewRole();
            for (var i = 0; i < fan; i++)
            {
                s.Call(host, role, "lookup", x + 0.5 + i * 0.12, s.B.Jitter(4, 9));
            }
        }

        s.B.Summary = string.Create(CultureInfo.InvariantCulture,
            $"{host.Service} makes {n} identical {first!.Name} calls one after another{(overlap ? ", adjacent calls overlapping by up to 0.5 ms" : "")}{(fan > 0 ? $"; a concurrent {fan}-way fan-out follows" : "")}.");
        return RootCauseLabel.Of(first, "n-plus-one");
    }

    private static RootCauseLabel RetryUnreachable(Shape s)
    {
        var (root, host, t) = s.Entry("submit", "POST", maxNoise: 3);
        var peer = s.NewRole();
        var refused = s.R.Next(2) == 0;
        var attempts = 4 + s.R.Next(6);
        var timeout = s.B.Jitter(200, 800);
        var x = t + 1;
        GenSpan? first = null;
        for (var a = 0; a < attempts; a++)
        {
            var call = s.External(host, "POST", peer, $"api.{peer}.example", x, refused ? s.B.Jitter(0.5, 3) : timeout)
                .Attr("http.request.method", "POST").Attr("url.full", $"https://api.{peer}.example/v1/{peer}");
            if (a > 0)
            {
                call.Attr("http.request.resend_count", (long)a);
            }

            if (refused)
            {
                call.Attr("error.type", "ECONNREFUSED").Throw("System.Net.Http.HttpRequestException", "Connection refused (api." + peer + ".example:443)");
            }
            else
            {
                call.Attr("error.type", "timeout").Throw("java.net.SocketTimeoutException", "Read timed out");
            }

            first ??= call;
            x = s.End(call) + s.B.Jitter(20, 60) * Math.Pow(2, a);
        }

        host.EndUs = s.B.Us(x);
        TraceBuilder.FailRpc(host, "upstream " + peer + " unavailable after " + attempts + " attempts", grpcCode: s.Grpc ? 14 : null, httpStatus: s.Grpc ? null : 503);
        host.Parent!.EndUs = s.B.Us(x + 0.4);
        root.Fail("503 Service Unavailable");
        s.B.Summary = string.Create(CultureInfo.InvariantCulture,
            $"{host.Service} re-sends POST to {peer} {attempts} times with exponential back-off ({(refused ? "connection refused" : "read timeouts")}); {peer} records no spans.");
        return RootCauseLabel.Of(first!, "retry");
    }

    private static RootCauseLabel RetryCalleeCause(Shape s, int variant)
    {
        var (root, host, t) = s.Entry("reserve", "POST", maxNoise: 3);
        var calleeRole = s.NewRole();
        var table = s.NewRole();
        var cause = variant % 3;
        var attempts = 3 + s.R.Next(4);
        var timeout = s.B.Jitter(300, 1200);
        var x = t + 1;
        GenSpan? first = null;
        for (var a = 0; a < attempts; a++)
        {
            var server = s.Call(host, calleeRole, "reserve", x, timeout, "POST");
            var client = server.Parent!;
            if (a > 0)
            {
                client.Attr(s.Grpc ? "rpc.grpc.retry_attempt" : "http.request.resend_count", (long)a);
            }

            var begin = s.Start(server) + 0.3;
            var lookup = s.Db(server, "SELECT", table, begin, s.B.Jitter(0.5, 2));
            var at = s.End(lookup) + 0.2;
            var wait = s.End(server) - at - 0.3;
            GenSpan culprit = cause switch
            {
                0 => s.Db(server, "UPDATE", table, at, wait, $"UPDATE {table} SET reserved = reserved + ? WHERE id = ?")
                    .Throw("LockWaitTimeoutException", "Lock wait timeout exceeded; try restarting transaction"),
                1 => s.Internal(server, "connection-pool.acquire", at, wait)
                    .Attr("db.client.connection.pool.name", table + "-pool").Attr("db.client.connection.pool.max", 10L)
                    .Attr("db.client.connection.pending_requests", (long)(20 + s.R.Next(40)))
                    .Throw("TimeoutException", "Timed out waiting for a connection from the pool"),
                _ => s.Db(server, "SELECT", table + "_history", at, wait, $"SELECT * FROM {table}_history WHERE note LIKE ? ORDER BY created_at")
                    .Throw("QueryCanceledException", "canceling statement due to statement timeout"),
            };
            first ??= culprit;
            TraceBuilder.FailRpc(server, "deadline exceeded", grpcCode: s.Grpc ? 4 : null, httpStatus: s.Grpc ? null : 504);
            x = s.End(client) + s.B.Jitter(10, 50) * (a + 1);
        }

        host.EndUs = s.B.Us(x);
        TraceBuilder.FailRpc(host, "reservation failed after " + attempts + " attempts", grpcCode: s.Grpc ? 14 : null, httpStatus: s.Grpc ? null : 503);
        host.Parent!.EndUs = s.B.Us(x + 0.4);
        root.Fail("503 Service Unavailable");
        var what = cause switch { 0 => "waits on a row lock", 1 => "waits for a pooled connection", _ => "runs a query without an index" };
        s.B.Summary = string.Create(CultureInfo.InvariantCulture,
            $"{host.Service} retries {calleeRole} {attempts} times; on every attempt {first!.Service} {what} ({first.Name}) until the deadline. The callee's cause is the label, the storm its amplifier.");
        return RootCauseLabel.Of(first, cause == 2 ? "latency" : "contention");
    }

    private static RootCauseLabel ErrorPropagation(Shape s)
    {
        var root = s.Root(s.NewRole(), "checkout", "POST");
        var t = s.Noise(root, 0.5, s.R.Next(0, 3));
        if (s.R.Next(2) == 0)
        {
            // A call that failed once and succeeded on retry: an error that is not the problem.
            var role = s.NewRole();
            var failed = s.Call(root, role, "validate", t + 0.2, s.B.Jitter(2, 5));
            TraceBuilder.FailRpc(failed, "connection reset by peer", grpcCode: s.Grpc ? 14 : null, httpStatus: s.Grpc ? null : 503);
            var retried = s.Call(root, role, "validate", s.End(failed.Parent!) + s.B.Jitter(20, 60), s.B.Jitter(2, 5));
            retried.Parent!.Attr(s.Grpc ? "rpc.grpc.retry_attempt" : "http.request.resend_count", 1L);
            t = s.End(retried.Parent!);
        }

        var depth = 2 + s.R.Next(4);
        var chain = new List<GenSpan>();
        var parent = root;
        var at = t + 0.5;
        for (var i = 0; i < depth; i++)
        {
            var server = s.Call(parent, s.NewRole(), "place", at, 0, "POST");
            chain.Add(server);
            at = s.Noise(server, at + 0.6, s.R.Next(0, 2)) + 0.2;
            parent = server;
        }

        var innermost = chain[^1];
        GenSpan origin;
        if (s.R.Next(2) == 0)
        {
            origin = s.Db(innermost, "INSERT", s.NewRole(), at, s.B.Jitter(2, 30));
            origin.Throw("DuplicateKeyException", "duplicate key value violates unique constraint \"" + origin.Name.Split(' ')[1] + "_pkey\"");
        }
        else
        {
            origin = s.Internal(innermost, "apply-discount", at, s.B.Jitter(0.5, 6));
            origin.Throw("System.NullReferenceException", "Object reference not set to an instance of an object.");
        }

        var end = s.End(origin) + 0.3;
        for (var i = chain.Count - 1; i >= 0; i--)
        {
            chain[i].EndUs = s.B.Us(end);
            TraceBuilder.FailRpc(chain[i], "internal error", grpcCode: s.Grpc ? 13 : null, httpStatus: s.Grpc ? null : 500);
            chain[i].Parent!.EndUs = s.B.Us(end + 0.3);
            end += 0.6;
        }

        root.Fail("500 Internal Server Error");
        s.B.Summary = string.Create(CultureInfo.InvariantCulture,
            $"{origin.Service}'s {origin.Name} throws {depth} calls deep; the error propagates through every caller to the edge.");
        return RootCauseLabel.Of(origin, "error");
    }

    private static RootCauseLabel SiblingErrors(Shape s)
    {
        var (root, host, t) = s.Entry("order", "POST");
        var at = s.Noise(host, t + 1, s.R.Next(0, 3)) + 0.3;
        var first = s.Call(host, s.NewRole(), "charge", at, s.B.Jitter(5, 30), "POST");
        first.Throw("PaymentDeclinedException", "card declined: insufficient funds");
        TraceBuilder.FailRpc(first, "card declined", grpcCode: s.Grpc ? 9 : null, httpStatus: s.Grpc ? null : 402);
        var later = s.End(first.Parent!) + s.B.Jitter(20, 120);
        var second = s.Call(host, s.NewRole(), "confirm", later, s.B.Jitter(8, 40), "POST");
        GenSpan consequence = second;
        if (s.R.Next(2) == 0)
        {
            consequence = s.Internal(second, "load-payment-record", later + 1, second.DurationUs / 1000.0 - 2);
            consequence.Throw("InvalidOperationException", "no payment record for order");
            TraceBuilder.FailRpc(second, "no payment record", grpcCode: s.Grpc ? 9 : null, httpStatus: s.Grpc ? null : 409);
        }
        else
        {
            consequence.Throw("InvalidOperationException", "order is not paid");
            TraceBuilder.FailRpc(second, "order is not paid", grpcCode: s.Grpc ? 9 : null, httpStatus: s.Grpc ? null : 409);
        }

        host.EndUs = s.B.Us(s.End(second.Parent!) + 0.5);
        TraceBuilder.FailRpc(host, "order failed", grpcCode: s.Grpc ? 13 : null, httpStatus: s.Grpc ? null : 500);
        host.Parent!.EndUs = host.EndUs + 300;
        root.Fail("500 Internal Server Error");
        s.B.Summary = $"{host.Service} has two failed calls: {first.Service} declines first; {consequence.Service}'s {consequence.Name} fails later because of it.";
        return RootCauseLabel.Of(first, "error");
    }

    private static RootCauseLabel CascadingTimeout(Shape s)
    {
        var root = s.Root(s.NewRole(), "search");
        var depth = 3 + s.R.Next(3);
        var deadline = s.B.Jitter(800, 2500);
        var chain = new List<GenSpan>();
        var parent = root;
        var at = s.Noise(root, 0.5, s.R.Next(0, 2)) + 0.3;
        for (var i = 0; i < depth; i++)
        {
            var server = s.Call(parent, s.NewRole(), "search", at, 0);
            chain.Add(server);
            at += 0.8;
            parent = server;
        }

        var inner = chain[^1];
        var origin = s.R.Next(2) == 0
            ? s.Db(inner, "SELECT", s.NewRole(), at, deadline, "SELECT * FROM documents WHERE body @@ to_tsquery(?)")
            : s.External(inner, "GET", "search-index", "search-index.internal", at, deadline).Attr("http.request.method", "GET");
        origin.Attr("error.type", "timeout").Throw("TimeoutException", string.Create(CultureInfo.InvariantCulture, $"operation timed out after {deadline:0} ms"));
        var end = s.End(origin) + 0.4;
        for (var i = chain.Count - 1; i >= 0; i--)
        {
            chain[i].EndUs = s.B.Us(end);
            TraceBuilder.FailRpc(chain[i], "deadline exceeded", grpcCode: s.Grpc ? 4 : null, httpStatus: s.Grpc ? null : 504);
            chain[i].Parent!.EndUs = s.B.Us(end + 0.3);
            end += s.B.Jitter(0.5, 3);
        }

        root.Fail("504 Gateway Timeout");
        s.B.Summary = string.Create(CultureInfo.InvariantCulture,
            $"{depth} services deep, {origin.Service}'s {origin.Name} times out first at {deadline:0} ms; every caller then fails with a deadline error.");
        return RootCauseLabel.Of(origin, "error");
    }

    private static RootCauseLabel ProxyTimeout(Shape s)
    {
        var timeout = s.R.Next(2) == 0 ? 10_000.0 : 15_000.0;
        var proxyName = s.R.Next(2) == 0 ? "frontend-proxy" : "edge-gateway";
        var proxy = s.B.Span(null, proxyName, "ingress", GenSpanKind.Server, 0, timeout)
            .Attr("http.request.method", "POST").Attr("http.response.status_code", 504L).Attr("upstream_cluster", "backend");
        proxy.Fail("upstream request timeout");
        var egress = s.B.Span(proxy, proxyName, "router backend egress", GenSpanKind.Client, 0.3, timeout - 0.6);
        egress.Fail("upstream request timeout");
        var role = s.NewRole();
        var handler = s.B.Span(egress, s.Svc(role), s.Op(role, "submit", "POST"), GenSpanKind.Server, 0.8, timeout + s.B.Jitter(50, 900));
        var t = s.Noise(handler, 1.2, 1 + s.R.Next(3));
        s.Noise(handler, t + timeout * 0.85, s.R.Next(0, 2));
        s.B.Summary = string.Create(CultureInfo.InvariantCulture,
            $"{proxyName} gives up at {timeout:0} ms (504); {handler.Service}'s handler, status OK, spends the budget in its own work between quick calls.");
        return RootCauseLabel.Of(handler, "error");
    }

    private static RootCauseLabel SelfTime(Shape s)
    {
        var (root, host, t) = s.Entry("report");
        var x = s.Noise(host, t + 1, 1 + s.R.Next(3));
        x += s.B.Jitter(400, 2500);
        s.Noise(host, x, 1 + s.R.Next(3));
        s.B.Summary = $"{host.Service}'s handler spends most of the request in its own code between its fast calls.";
        return RootCauseLabel.Of(host, "latency");
    }

    private static RootCauseLabel Serialization(Shape s, int variant)
    {
        var (root, host, t) = s.Entry("export");
        var x = s.Noise(host, t + 1, 1 + s.R.Next(3));
        var size = (long)(40 + s.R.Next(200)) * 1_048_576L;
        GenSpan culprit;
        if (variant % 2 == 0)
        {
            var name = s.R.Next(3) switch { 0 => "JsonSerializer.Serialize", 1 => "proto.Marshal", _ => "serialize response" };
            culprit = s.Internal(host, name, x + 0.2, s.B.Jitter(500, 2500)).Attr("message.uncompressed_size", size);
            x = s.End(culprit) + 0.3;
        }
        else
        {
            culprit = host;
            x += s.B.Jitter(500, 2500);
        }

        host.Attr(s.Grpc ? "rpc.message.uncompressed_size" : "http.response.body.size", size);
        host.EndUs = s.B.Us(x + 0.5);
        s.B.Summary = string.Create(CultureInfo.InvariantCulture,
            $"{host.Service} serialises a {size / 1_048_576} MB response{(culprit == host ? " in its own code" : " in " + culprit.Name)}; the reads before it are fast.");
        return RootCauseLabel.Of(culprit, "latency");
    }

    private static RootCauseLabel SlowQuery(Shape s)
    {
        var (root, host, t) = s.Entry("find", "GET", maxNoise: 3);
        var x = t + 1;
        for (var i = s.R.Next(1, 4); i > 0; i--)
        {
            x = s.End(s.Db(host, "SELECT", s.NewRole(), x, s.B.Jitter(0.8, 6))) + 0.2;
        }

        var table = s.NewRole();
        var slow = s.Db(host, "SELECT", table, x, s.B.Jitter(600, 3000), $"SELECT * FROM {table} WHERE lower(email) = ? ORDER BY created_at DESC")
            .Attr("db.response.returned_rows", 1L);
        x = s.End(slow) + 0.2;
        s.Noise(host, x, s.R.Next(0, 3));
        s.B.Summary = $"{host.Service}'s {slow.Name} scans the whole table (no usable index) and takes most of the request.";
        return RootCauseLabel.Of(slow, "latency");
    }

    private static RootCauseLabel CircuitBreaker(Shape s)
    {
        var (root, host, t) = s.Entry("quote", "POST");
        var peer = s.NewRole();
        var slowCalls = 2 + s.R.Next(3);
        var fastFails = 2 + s.R.Next(5);
        var x = t + 1;
        GenSpan? first = null;
        for (var i = 0; i < slowCalls; i++)
        {
            var call = s.External(host, "GET", peer, $"api.{peer}.example", x, s.B.Jitter(900, 2500))
                .Attr("http.request.method", "GET").Attr("url.full", $"https://api.{peer}.example/v2/rates").Attr("http.response.status_code", 200L);
            first ??= call;
            x = s.End(call) + 0.5;
        }

        for (var i = 0; i < fastFails; i++)
        {
            var skip = s.Internal(host, "circuit-breaker " + peer, x, 0.05).Attr("resilience.circuit_breaker.state", "open");
            skip.Throw("BrokenCircuitException", "The circuit is now open and is not allowing calls.");
            x += s.B.Jitter(0.2, 1.5);
        }

        s.B.Summary = string.Create(CultureInfo.InvariantCulture,
            $"{host.Service}'s calls to the external {peer} API take seconds ({slowCalls} of them) until its circuit breaker opens; {fastFails} fast 'circuit open' failures follow.");
        return RootCauseLabel.Of(first!, "dependency");
    }
}
