using System.Globalization;

namespace OpsAssistant.EvalGenerator;

/// <summary>
/// The randomized side of a family variant: which names its services and operations get (one of several naming schemes),
/// whether calls are HTTP or gRPC, which database it talks to and how it is instrumented (current or old semantic-convention
/// attribute names, explicit OK statuses). Families build on it so that no two variants look alike while the fault they
/// plant stays the same. All draws come from the builder's seeded <see cref="Random"/>.
/// </summary>
internal sealed class Shape
{
    private static readonly string[] RolePool =
    [
        "orders", "payments", "inventory", "users", "catalog", "search", "pricing", "shipping", "accounts", "billing", "ledger",
        "profile", "reviews", "media", "quotes", "bookings", "tickets", "loyalty", "invoices", "carts", "stock", "offers",
        "routes", "fleet", "claims", "policies", "devices", "alerts", "sessions", "wallets",
    ];

    private static readonly string[] Companies = ["acme", "globex", "initech", "umbrella", "hooli", "stark"];

    // The attribute names an instrumentation on the old (pre-1.21) HTTP/DB/network conventions writes instead of the current ones.
    private static readonly Dictionary<string, string> OldNames = new(StringComparer.Ordinal)
    {
        ["db.query.text"] = "db.statement",
        ["http.response.status_code"] = "http.status_code",
        ["server.address"] = "net.peer.name",
        ["server.port"] = "net.peer.port",
        ["url.full"] = "http.url",
        ["http.request.method"] = "http.method",
        ["db.operation.name"] = "db.operation",
        ["db.collection.name"] = "db.sql.table",
    };

    private readonly Dictionary<string, string> _services = new(StringComparer.Ordinal);
    private readonly Queue<string> _roles;
    private readonly int _scheme;
    private readonly string _company;

    public Shape(TraceBuilder builder)
    {
        B = builder;
        _scheme = R.Next(6);
        _company = Companies[R.Next(Companies.Length)];
        _roles = new Queue<string>(RolePool.OrderBy(_ => R.Next()));
        Grpc = R.Next(2) == 0;
        OldSemconv = R.Next(3) == 0;
        ExplicitOk = R.Next(3) == 0;
        DbSystem = R.Next(3) switch { 0 => "mysql", 1 => "postgresql", _ => "mssql" };
        ApiVersion = 1 + R.Next(3);
    }

    public TraceBuilder B { get; }

    public Random R => B.Random;

    /// <summary>Calls between services are gRPC (else HTTP).</summary>
    public bool Grpc { get; }

    /// <summary>Attributes use the old names (<c>db.statement</c>, <c>http.status_code</c>, <c>net.peer.name</c>, <c>http.url</c>).</summary>
    public bool OldSemconv { get; }

    /// <summary>Successful server spans carry an explicit OK status, as some instrumentations set it.</summary>
    public bool ExplicitOk { get; }

    public string DbSystem { get; }

    public int ApiVersion { get; }

    public string Style => string.Create(CultureInfo.InvariantCulture,
        $"{(Grpc ? "gRPC" : "HTTP")}, {DbSystem}, {(OldSemconv ? "old" : "current")} semantic conventions");

    /// <summary>A role no other call in this trace has used yet ("orders", "pricing", ...).</summary>
    public string NewRole() => _roles.TryDequeue(out var role) ? role : RolePool[R.Next(RolePool.Length)] + "-" + R.Next(100, 999).ToString(CultureInfo.InvariantCulture);

    /// <summary>The service name of a role under this variant's naming scheme; the same role always gets the same name.</summary>
    public string Svc(string role)
    {
        if (!_services.TryGetValue(role, out var name))
        {
            name = _scheme switch
            {
                0 => role,
                1 => role + "-service",
                2 => "ts-" + role + "-service",
                3 => _company + "-" + role,
                4 => role.TrimEnd('s') + "svc",
                _ => Pascal(role) + "Api",
            };
            _services[role] = name;
        }

        return name;
    }

    /// <summary>An operation name in the variant's protocol: <c>pkg.OrdersService/GetQuote</c> or <c>GET /api/v2/orders/{id}/quote</c>.</summary>
    public string Op(string role, string action, string verb = "GET") => Grpc
        ? $"{_company}.{Pascal(role)}Service/{Pascal(action)}"
        : string.Create(CultureInfo.InvariantCulture, $"{verb} /api/v{ApiVersion}/{role}/{{id}}/{action}");

    /// <summary>The trace's root: an incoming HTTP request at time 0 in the edge service, closed by <see cref="Finish"/>.</summary>
    public GenSpan Root(string role, string action, string verb = "GET")
    {
        var route = string.Create(CultureInfo.InvariantCulture, $"/api/v{ApiVersion}/{role}/{action}");
        return B.Span(null, Svc(role), verb + " " + route, GenSpanKind.Server, 0, 0)
            .Attr("http.request.method", verb).Attr("http.route", route).Attr("url.scheme", "https").Attr("http.response.status_code", 200L);
    }

    /// <summary>
    /// The usual way into a fault: an edge request, up to <paramref name="maxNoise"/> − 1 quick healthy calls under it, then a
    /// call to the service that will hold the fault. Returns the edge span, that service's server span and the time after the
    /// healthy calls (ms).
    /// </summary>
    public (GenSpan Root, GenSpan Host, double At) Entry(string action, string verb = "GET", int maxNoise = 2)
    {
        var root = Root(NewRole(), action, verb);
        var at = Noise(root, 0.5, R.Next(0, maxNoise));
        return (root, Call(root, NewRole(), action, at + 0.3, 0, verb), at);
    }

    /// <summary>A call to another service's operation; returns the callee's server span (its client span is the parent).</summary>
    public GenSpan Call(GenSpan parent, string role, string action, double at, double duration, string verb = "GET") =>
        B.Rpc(parent, Svc(role), Op(role, action, verb), at, duration, Grpc ? "grpc" : "http");

    public GenSpan Db(GenSpan parent, string verb, string table, double at, double duration, string? statement = null) =>
        Healthy.Db(B, parent, verb + " " + table, DbSystem, at, duration, statement);

    public GenSpan Cache(GenSpan parent, string command, double at, double duration) =>
        Healthy.Db(B, parent, command, "redis", at, duration);

    public GenSpan Internal(GenSpan parent, string name, double at, double duration) =>
        B.Span(parent, parent.Service, name, GenSpanKind.Internal, at, duration);

    /// <summary>A client span to a system that records no spans of its own (an external API, a broker, a managed service).</summary>
    public GenSpan External(GenSpan parent, string name, string peer, string host, double at, double duration) =>
        B.Span(parent, parent.Service, name, GenSpanKind.Client, at, duration)
            .Attr("peer.service", peer).Attr("server.address", host).Attr("server.port", 443L);

    /// <summary>
    /// <paramref name="count"/> quick healthy calls one after another under <paramref name="parent"/>: database reads, cache
    /// reads and calls to other services with a query of their own. Returns when the last one ends (ms).
    /// </summary>
    public double Noise(GenSpan parent, double at, int count)
    {
        var t = at;
        for (var i = 0; i < count; i++)
        {
            switch (R.Next(3))
            {
                case 0:
                    t = End(Db(parent, "SELECT", NewRole(), t, B.Jitter(0.8, 4))) + B.Jitter(0.1, 0.6);
                    break;
                case 1:
                    t = End(Cache(parent, "GET", t, B.Jitter(0.2, 1.2))) + B.Jitter(0.1, 0.4);
                    break;
                default:
                    var role = NewRole();
                    var d = B.Jitter(3, 9);
                    var server = Call(parent, role, "get", t, d);
                    Db(server, "SELECT", role, t + 0.8, d - 1.8);
                    t += d + B.Jitter(0.1, 0.6);
                    break;
            }
        }

        return t;
    }

    /// <summary>End of a span in trace milliseconds.</summary>
    public double End(GenSpan span) => Healthy.End(B, span);

    /// <summary>Start of a span in trace milliseconds.</summary>
    public double Start(GenSpan span) => (span.StartUs - B.EpochUs) / 1000.0;

    /// <summary>
    /// Closes the trace: every span still open (built with zero duration) ends just after its last synchronous child, innermost
    /// first; successful server spans get an explicit OK when the variant's instrumentation sets one; old-convention variants
    /// rename their attributes.
    /// </summary>
    public void Finish()
    {
        var spans = B.Spans;
        var children = spans.Where(s => s.Parent is not null && !s.FollowsFrom).ToLookup(s => s.Parent!);
        for (var i = spans.Count - 1; i >= 0; i--)
        {
            var span = spans[i];
            if (span.EndUs == span.StartUs && children[span].Any())
            {
                span.EndUs = children[span].Max(c => c.EndUs) + (long)(B.Jitter(0.1, 0.5) * 1000);
            }
        }

        foreach (var span in spans)
        {
            if (ExplicitOk && span.Kind == GenSpanKind.Server && !span.Error)
            {
                span.MarkOk();
            }

            if (OldSemconv)
            {
                for (var a = 0; a < span.Attributes.Count; a++)
                {
                    if (OldNames.TryGetValue(span.Attributes[a].Key, out var old))
                    {
                        span.Attributes[a] = new(old, span.Attributes[a].Value);
                    }
                }
            }
        }
    }

    private static string Pascal(string role) => char.ToUpperInvariant(role[0]) + role[1..];
}
