using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Analysis;

/// <summary>What individual span attributes say: failure signals across OpenTelemetry, HTTP, gRPC and Jaeger/Zipkin, and the remote peer.</summary>
internal static partial class SpanSignals
{
    // gRPC codes that mean the server or network failed (client mistakes such as INVALID_ARGUMENT/NOT_FOUND only count with an error status).
    private static readonly HashSet<long> GrpcServerFaults = [2, 4, 8, 10, 13, 14, 15];

    /// <summary>Why a span counts as failed, or null when it did not fail.</summary>
    public static string? ErrorSignal(Span span)
    {
        if (span.Status == SpanStatusCode.Error)
        {
            return "status ERROR";
        }

        if (span.Status == SpanStatusCode.Ok)
        {
            return null;
        }

        var http = AttributeValues.FindLong(span.AttributeSpan, "http.response.status_code") ?? AttributeValues.FindLong(span.AttributeSpan, "http.status_code");
        if (http >= 500)
        {
            return $"HTTP {http}";
        }

        var grpc = GrpcCode(span);
        if (grpc is { } g && GrpcServerFaults.Contains(g))
        {
            return $"gRPC status {g}";
        }

        // Current conventions mark a failed operation with error.type even where the status was left unset.
        return AttributeValues.FindString(span.AttributeSpan, "error.type") is { Length: > 0 } type && http is null or >= 500 ? $"error.type {type}" : null;
    }

    /// <summary>The gRPC status code, from rpc.grpc.status_code or the newer rpc.response.status_code (a number or a code name).</summary>
    public static long? GrpcCode(Span span)
    {
        if (AttributeValues.FindLong(span.AttributeSpan, "rpc.grpc.status_code") is { } code)
        {
            return code;
        }

        return AttributeValues.Find(span.AttributeSpan, "rpc.response.status_code") switch
        {
            long l => l,
            string name => Array.IndexOf(GrpcCodeNames, name.ToUpperInvariant()) is var k and >= 0 ? k : long.TryParse(name, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null,
            _ => null,
        };
    }

    private static readonly string[] GrpcCodeNames =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    ];

    // gRPC codes that report the caller's request as unacceptable rather than a failure of the server.
    private static readonly HashSet<long> GrpcClientFaults = [3, 5, 6, 7, 9, 11, 16];

    /// <summary>Whether the span's failure is a client-class answer: HTTP 4xx or a gRPC code about the request itself.</summary>
    public static bool IsClientFault(Span span)
    {
        var a = span.AttributeSpan;
        var http = AttributeValues.FindLong(a, "http.response.status_code") ?? AttributeValues.FindLong(a, "http.status_code");
        if (http is { } h)
        {
            return h is >= 400 and < 500;
        }

        return GrpcCode(span) is { } g && GrpcClientFaults.Contains(g);
    }

    /// <summary>
    /// A call a circuit breaker or bulkhead refused at once (Polly's BrokenCircuitException, resilience4j's
    /// CallNotPermittedException, Hystrix's short-circuit, an open-state attribute): a symptom of whatever opened it.
    /// </summary>
    public static bool IsFailFast(Span span, string? message, string? exceptionType)
    {
        foreach (var a in span.AttributeSpan)
        {
            if (a.Key.Contains("circuit", StringComparison.OrdinalIgnoreCase) && a.Value is string v && v.Equals("open", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return (message is not null && FailFastWords().IsMatch(message)) || (exceptionType is not null && FailFastWords().IsMatch(exceptionType));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(?i)(circuit\W*(breaker\W*)?(is\W*)?(now\W*)?open|brokencircuit|callnotpermitted|short-?circuited|bulkhead\W*(is\W*)?full)", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex FailFastWords();

    public static SpanEvent? Exception(Span span) => span.Events.FirstOrDefault(e => e.IsException);

    public static string? Message(Span span)
    {
        if (!string.IsNullOrWhiteSpace(span.StatusMessage))
        {
            return span.StatusMessage;
        }

        var ex = Exception(span);
        return ex is null ? AttributeValues.FindString(span.AttributeSpan, "error.message") ?? AttributeValues.FindString(span.AttributeSpan, "exception.message")
            : AttributeValues.FindString(ex.Attributes, "exception.message") ?? AttributeValues.FindString(ex.Attributes, "message");
    }

    public static string? ExceptionType(Span span) =>
        Exception(span) is { } ex ? AttributeValues.FindString(ex.Attributes, "exception.type") : AttributeValues.FindString(span.AttributeSpan, "exception.type") ?? AttributeValues.FindString(span.AttributeSpan, "error.type");

    /// <summary>The remote system a client span talks to, from the semantic-convention attributes that name it.</summary>
    public static string? Peer(Span span)
    {
        var a = span.AttributeSpan;
        var name = AttributeValues.FindString(a, "peer.service") ?? AttributeValues.FindString(a, "db.system") ?? AttributeValues.FindString(a, "db.system.name") ?? AttributeValues.FindString(a, "messaging.system")
            ?? AttributeValues.FindString(a, "server.address") ?? AttributeValues.FindString(a, "net.peer.name") ?? AttributeValues.FindString(a, "rpc.service");
        if (name is not null)
        {
            var port = AttributeValues.FindLong(a, "server.port") ?? AttributeValues.FindLong(a, "net.peer.port");
            return port is null ? name : $"{name}:{port}";
        }

        var url = AttributeValues.FindString(a, "url.full") ?? AttributeValues.FindString(a, "http.url");
        return url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Authority : null;
    }

    /// <summary>Distinguishes calls that share a name but go to different places (HotROD's customer lookup vs route calls).</summary>
    public static string Target(Span span)
    {
        var a = span.AttributeSpan;
        var port = AttributeValues.FindLong(a, "server.port") ?? AttributeValues.FindLong(a, "net.peer.port");
        var host = AttributeValues.FindString(a, "server.address") ?? AttributeValues.FindString(a, "net.peer.name") ?? AttributeValues.FindString(a, "peer.service");
        if (host is null && port is null)
        {
            var url = AttributeValues.FindString(a, "url.full") ?? AttributeValues.FindString(a, "http.url");
            if (url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri))
            {
                // Identifiers in the path (/orders/1042) differ per call of one loop: the route, not the item, is the target.
                return uri.Authority + IdSegment().Replace(uri.AbsolutePath, "/{id}");
            }
        }

        return $"{host}:{port}";
    }

    /// <summary>
    /// A call to another system: by span kind, or — when the instrumentation recorded no kind — by the attributes only the
    /// calling side carries (a database system, the peer service, a full request URL, an outgoing RPC's peer).
    /// </summary>
    public static bool IsClientLike(Span span)
    {
        if (span.Kind is SpanKind.Client or SpanKind.Producer)
        {
            return true;
        }

        var a = span.AttributeSpan;
        if (IsDatabase(span) || AttributeValues.Find(a, "peer.service") is not null)
        {
            return true;
        }

        if (span.Kind is not (SpanKind.Internal or SpanKind.Unspecified))
        {
            return false;
        }

        // Server spans carry the route or target of the request they received; clients carry the URL they called.
        var served = AttributeValues.Find(a, "http.route") is not null || AttributeValues.Find(a, "http.target") is not null || AttributeValues.Find(a, "url.path") is not null;
        return !served && (AttributeValues.Find(a, "url.full") is not null || AttributeValues.Find(a, "http.url") is not null
            || (AttributeValues.Find(a, "rpc.system") is not null && (AttributeValues.Find(a, "net.peer.name") is not null || AttributeValues.Find(a, "server.address") is not null)));
    }

    /// <summary>A database call under either generation of the semantic conventions (db.system / db.system.name, db.statement / db.query.text).</summary>
    public static bool IsDatabase(Span span)
    {
        var a = span.AttributeSpan;
        return AttributeValues.Find(a, "db.system") is not null || AttributeValues.Find(a, "db.system.name") is not null
            || AttributeValues.Find(a, "db.statement") is not null || AttributeValues.Find(a, "db.query.text") is not null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"/(?:\d+|[0-9a-fA-F]{8}-[0-9a-fA-F-]{27,}|[0-9a-fA-F]{16,})(?=/|$)", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex IdSegment();
}
