using System.Globalization;

namespace OpsAssistant.EvalGenerator;

/// <summary>
/// Randomized families of time lost waiting (pools, locks, connection set-up, a herd of recomputations), to the runtime
/// or host, to a remote system without spans, and to a serverless cold start.
/// </summary>
internal static class WaitFamilies
{
    public static IEnumerable<Family> All() =>
    [
        new("contention-pool-wait", "A request waits for a database connection from an exhausted pool before a fast query.", 6,
            (s, _) => PoolWait(s)),
        new("client-pool-exhaustion", "An HTTP client waits for a free connection to its peer (Go otelhttptrace http.getconn, or a pool-wait span) before a fast call.", 6,
            ClientPool),
        new("dns-tls-slow", "Connection set-up of an outgoing call is slow: a DNS lookup or TLS handshake span (as .NET 9 and Go otelhttptrace record them) holds the time.", 6,
            DnsTls),
        new("cache-stampede", "Thundering herd on a cache miss: concurrent lookups all miss and recompute with the same expensive query at once.", 6,
            (s, _) => Stampede(s)),
        new("hot-row-lock", "Lock contention on a hot row: one UPDATE waits for a row lock held by concurrent transactions.", 6,
            (s, _) => HotRow(s)),
        new("gc-pause-replica", "A fan-out to many replicas of one service where one replica stalls in a stop-the-world GC pause recorded on its span.", 6,
            GcReplica),
        new("resource-stall", "A handler stalls with no child running; CPU-throttling attributes or a GC event on its span say why.", 6,
            ResourceStall),
        new("dependency-slow-external", "A call to an external system that records no spans (payment processor, managed database, mail relay) takes most of the request.", 6,
            (s, _) => SlowExternal(s)),
        new("cold-start-faas", "An OpenTelemetry FaaS server span with faas.coldstart=true spends seconds before its first child; a slower-than-usual downstream call is a decoy.", 6,
            (s, _) => ColdStart(s)),
    ];

    private static RootCauseLabel PoolWait(Shape s)
    {
        var (root, host, t) = s.Entry("query", "POST", maxNoise: 3);
        var (name, attrs) = s.R.Next(4) switch
        {
            0 => ("HikariPool.getConnection", "HikariPool-1"),
            1 => ("connection-pool.acquire", "Host=db;Database=app"),
            2 => ("sqlalchemy.pool.checkout", "QueuePool"),
            _ => ("sql.conn.acquire", "database/sql"),
        };
        var wait = s.Internal(host, name, t + 1, s.B.Jitter(500, 2500)).Attr("db.client.connection.pool.name", attrs)
            .Attr("db.client.connection.pool.max", (long)(5 + s.R.Next(20))).Attr("db.client.connection.pending_requests", (long)(10 + s.R.Next(50)));
        var x = s.End(s.Db(host, "SELECT", s.NewRole(), s.End(wait) + 0.2, s.B.Jitter(2, 15))) + 0.3;
        s.Noise(host, x, s.R.Next(0, 2));
        s.B.Summary = $"{host.Service} waits in {name} for a connection from an exhausted pool; the query after it is fast.";
        return RootCauseLabel.Of(wait, "contention");
    }

    private static RootCauseLabel ClientPool(Shape s, int variant)
    {
        var (root, host, t) = s.Entry("sync");
        var peerRole = s.NewRole();
        var peer = s.Svc(peerRole);
        var calls = 1 + s.R.Next(3);
        var x = t + 1;
        GenSpan? first = null;
        for (var i = 0; i < calls; i++)
        {
            var wait = i == 0 ? s.B.Jitter(600, 2500) : s.B.Jitter(0.1, 2);
            var client = s.B.Span(host, host.Service, variant % 2 == 0 ? "HTTP GET" : "GET", GenSpanKind.Client, x, wait + 8)
                .Attr("http.request.method", "GET").Attr("server.address", peer).Attr("url.full", $"http://{peer}/v1/{peerRole}");
            var getconn = variant % 2 == 0
                ? s.B.Span(client, host.Service, "http.getconn", GenSpanKind.Internal, x + 0.05, wait).Attr("net.host.name", peer)
                : s.B.Span(client, host.Service, "http.client.connection.wait", GenSpanKind.Internal, x + 0.05, wait)
                    .Attr("http.client.connection.pool.max", 10L).Attr("http.client.connection.pool.pending_requests", (long)(5 + s.R.Next(30)));
            first ??= getconn;
            var server = s.B.Span(client, peer, s.Op(peerRole, "sync"), GenSpanKind.Server, x + wait + 0.5, 6.5);
            s.Db(server, "SELECT", peerRole, x + wait + 1.2, 4);
            x = s.End(client) + 0.3;
        }

        s.B.Summary = $"{host.Service}'s HTTP client waits in {first!.Name} for a free connection to {peer}; the call itself is fast.";
        return RootCauseLabel.Of(first, "contention");
    }

    private static RootCauseLabel DnsTls(Shape s, int variant)
    {
        var (root, host, t) = s.Entry("notify", "POST");
        var peer = s.NewRole();
        var hostName = $"hooks.{peer}.example";
        var dotnet = s.R.Next(2) == 0;
        var slowDns = variant % 2 == 0;
        var dns = slowDns ? s.B.Jitter(700, 3000) : s.B.Jitter(0.5, 3);
        var tls = slowDns ? s.B.Jitter(3, 12) : s.B.Jitter(700, 3000);
        var connect = s.B.Jitter(0.5, 2);
        var x = t + 1;
        var client = s.External(host, "POST", peer, hostName, x, dns + connect + tls + 20).Attr("http.request.method", "POST")
            .Attr("url.full", $"https://{hostName}/v1/events");
        var dnsSpan = s.B.Span(client, host.Service, dotnet ? "DNS lookup" : "http.dns", GenSpanKind.Internal, x + 0.1, dns).Attr("dns.question.name", hostName);
        s.B.Span(client, host.Service, dotnet ? "socket connect" : "http.connect", GenSpanKind.Internal, x + 0.2 + dns, connect).Attr("network.peer.port", 443L);
        var tlsSpan = s.B.Span(client, host.Service, dotnet ? "TLS client handshake" : "http.tls", GenSpanKind.Internal, x + 0.3 + dns + connect, tls)
            .Attr("tls.protocol.version", "1.3").Attr("server.address", hostName);
        s.Noise(host, s.End(client) + 0.3, s.R.Next(0, 2));
        var slow = slowDns ? dnsSpan : tlsSpan;
        s.B.Summary = $"{host.Service}'s call to {hostName} spends most of the request in {slow.Name}; the request itself is quick once connected.";
        return RootCauseLabel.Of(slow, "dependency");
    }

    private static RootCauseLabel Stampede(Shape s)
    {
        var (root, host, t) = s.Entry("dashboard");
        var table = s.NewRole();
        var herd = 6 + s.R.Next(11);
        var cost = s.B.Jitter(600, 1800);
        GenSpan? first = null;
        for (var i = 0; i < herd; i++)
        {
            var at = t + 1 + i * s.B.Jitter(0.05, 0.3);
            var lookup = s.Internal(host, "load-widget", at, 0);
            s.Cache(lookup, "GET", at + 0.05, s.B.Jitter(0.2, 0.8)).Attr("db.response.status_code", "nil").Attr("cache.hit", false);
            var q = s.Db(lookup, "SELECT", table, at + 1, cost * s.B.Jitter(0.9, 1.1), $"SELECT date_trunc('hour', at), sum(amount) FROM {table} GROUP BY 1");
            first ??= q;
            s.Cache(lookup, "SET", s.End(q) + 0.1, s.B.Jitter(0.2, 0.8));
        }

        s.B.Summary = string.Create(CultureInfo.InvariantCulture,
            $"{herd} concurrent widget loads in {host.Service} all miss the cache and recompute {first!.Name} at once, each taking ~{cost:0} ms.");
        return RootCauseLabel.Of(first, "contention");
    }

    private static RootCauseLabel HotRow(Shape s)
    {
        var (root, host, t) = s.Entry("transfer", "POST");
        var table = s.NewRole();
        var x = s.End(s.Db(host, "SELECT", table, t + 1, s.B.Jitter(0.8, 3))) + 0.2;
        var wait = s.B.Jitter(500, 2500);
        var update = s.Db(host, "UPDATE", table, x, wait + s.B.Jitter(0.5, 2), $"UPDATE {table} SET balance = balance + ? WHERE id = ?");
        if (s.R.Next(2) == 0)
        {
            update.Event("lock.wait", s.B.Us(x + wait), ("lock.mode", "RowExclusiveLock"), ("lock.wait_ms", (long)wait));
        }

        x = s.End(update) + 0.2;
        x = s.End(s.Db(host, "INSERT", table + "_journal", x, s.B.Jitter(0.8, 3))) + 0.2;
        s.Noise(host, x, s.R.Next(0, 2));
        s.B.Summary = string.Create(CultureInfo.InvariantCulture,
            $"{host.Service}'s {update.Name} on a hot row waits ~{wait:0} ms for the row lock; the statements around it are fast.");
        return RootCauseLabel.Of(update, "contention");
    }

    private static RootCauseLabel GcReplica(Shape s, int variant)
    {
        var (root, host, t) = s.Entry("rank");
        var role = s.NewRole();
        var replicas = 4 + s.R.Next(7);
        var victim = s.R.Next(replicas);
        var pause = s.B.Jitter(500, 2000);
        GenSpan? stalled = null;
        for (var i = 0; i < replicas; i++)
        {
            var at = t + 1 + i * 0.1;
            var d = i == victim ? pause + s.B.Jitter(3, 8) : s.B.Jitter(3, 10);
            var server = s.Call(host, role, "score", at, d);
            server.Attr("k8s.pod.name", string.Create(CultureInfo.InvariantCulture, $"{server.Service}-7d9f{i:x2}"));
            if (i != victim)
            {
                s.Internal(server, "score-batch", at + 0.6, d - 1.4);
                continue;
            }

            stalled = server;
            var gcAt = s.B.Us(at + 0.6 + pause);
            switch (variant % 3)
            {
                case 0:
                    server.Event("jvm.gc", gcAt, ("jvm.gc.name", "G1 Old Generation"), ("jvm.gc.action", "end of major GC"), ("jvm.gc.duration_ms", (long)pause));
                    break;
                case 1:
                    server.Attr("dotnet.gc.last_pause_ms", (long)pause).Attr("dotnet.gc.heap.generation", "gen2")
                        .Event("dotnet.gc.pause", gcAt, ("dotnet.gc.heap.generation", "gen2"), ("dotnet.gc.pause_ms", (long)pause));
                    break;
                default:
                    server.Event("runtime.gc", gcAt, ("go.gc.pause_ns", (long)(pause * 1_000_000)), ("go.gc.reason", "heap limit"));
                    break;
            }

            s.Internal(server, "score-batch", at + 0.8 + pause, d - pause - 1.6);
        }

        s.B.Summary = string.Create(CultureInfo.InvariantCulture,
            $"{host.Service} fans out to {replicas} replicas of {stalled!.Service}; one stalls ~{pause:0} ms in a GC pause recorded on its span.");
        return RootCauseLabel.Of(stalled, "resource");
    }

    private static RootCauseLabel ResourceStall(Shape s, int variant)
    {
        var (root, host, t) = s.Entry("convert");
        var x = s.Noise(host, t + 1, s.R.Next(0, 2));
        var stall = s.B.Jitter(500, 2000);
        if (variant % 2 == 0)
        {
            host.Attr("container.cpu.limit", 0.25).Attr("container.cpu.throttled_time_ms", (long)(stall * 0.95)).Attr("container.cpu.throttled_periods", (long)(stall / 10))
                .Event("cpu.throttled", s.B.Us(x + stall), ("container.cpu.throttled_time_ms", (long)(stall * 0.95)), ("container.cpu.limit", 0.25));
        }
        else
        {
            host.Attr("jvm.memory.used_after_gc_bytes", 1_900_000_000L).Attr("jvm.memory.limit_bytes", 2_147_483_648L)
                .Event("jvm.gc", s.B.Us(x + stall), ("jvm.gc.name", "G1 Old Generation"), ("jvm.gc.action", "end of major GC"), ("jvm.gc.duration_ms", (long)stall));
        }

        s.Noise(host, x + stall + 0.5, 1 + s.R.Next(2));
        s.B.Summary = string.Create(CultureInfo.InvariantCulture,
            $"{host.Service}'s handler stalls ~{stall:0} ms with no child running; {(variant % 2 == 0 ? "CPU throttling" : "a full GC")} is recorded on the span.");
        return RootCauseLabel.Of(host, "resource");
    }

    private static RootCauseLabel SlowExternal(Shape s)
    {
        var (root, host, t) = s.Entry("pay", "POST", maxNoise: 3);
        var peer = s.NewRole();
        var d = s.B.Jitter(800, 3000);
        var call = s.R.Next(3) switch
        {
            0 => s.External(host, "POST", peer, $"api.{peer}.example", t + 1, d).Attr("http.request.method", "POST")
                .Attr("url.full", $"https://api.{peer}.example/v1/intents").Attr("http.response.status_code", 200L),
            1 => s.External(host, "SELECT " + peer, peer + "-db", $"{peer}-db.cluster-1.rds.example", t + 1, d).Attr("db.system", "postgresql")
                .Attr("db.query.text", $"SELECT * FROM {peer} WHERE account_id = ?"),
            _ => s.External(host, "smtp send", "smtp-relay", "smtp.relay.example", t + 1, d).Attr("network.protocol.name", "smtp"),
        };
        s.Noise(host, s.End(call) + 0.3, s.R.Next(0, 2));
        s.B.Summary = $"{host.Service}'s {call.Name} to an external system without spans takes most of the request.";
        return RootCauseLabel.Of(call, "dependency");
    }

    private static RootCauseLabel ColdStart(Shape s)
    {
        var fn = s.NewRole() + "-fn";
        s.B.Resource(fn, ("cloud.provider", "gcp"), ("cloud.platform", "gcp_cloud_functions"), ("faas.name", fn), ("faas.max_memory", 268_435_456L));
        var root = s.Root(s.NewRole(), "upload", "POST");
        var init = s.B.Jitter(800, 3000);
        var call = s.B.Span(root, root.Service, fn, GenSpanKind.Client, 1, 0).Attr("faas.invoked_name", fn).Attr("faas.invoked_provider", "gcp");
        var server = s.B.Span(call, fn, fn, GenSpanKind.Server, 3, 0).Attr("faas.trigger", "http").Attr("faas.coldstart", true)
            .Attr("faas.invocation_id", s.B.TraceId[..12]);
        var x = 3 + init;
        var decoy = s.B.Span(server, fn, "storage.objects.get", GenSpanKind.Client, x, init * s.B.Jitter(0.1, 0.3)).Attr("peer.service", "gcs");
        x = s.End(decoy) + 0.5;
        for (var i = s.R.Next(1, 4); i > 0; i--)
        {
            x = s.End(s.Internal(server, "transform", x, s.B.Jitter(5, 40))) + 0.3;
        }
        s.B.Summary = string.Create(CultureInfo.InvariantCulture,
            $"{fn} starts cold (faas.coldstart=true) and spends ~{init:0} ms before its first child; its storage read is slower than usual but shorter.");
        return RootCauseLabel.Of(server, "cold-start");
    }
}
