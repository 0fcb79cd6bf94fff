using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Analysis;

/// <summary>What individual span attributes say: failure signals across OpenTelemetry, HTTP, gRPC and Jaeger/Zipkin, and the remote peer.</summary>
internal static class SpanSignals
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

        var grpc = AttributeValues.FindLong(span.AttributeSpan, "rpc.grpc.status_code");
        return grpc is { } g && GrpcServerFaults.Contains(g) ? $"gRPC status {g}" : null;
    }

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
        var name = AttributeValues.FindString(a, "peer.service") ?? AttributeValues.FindString(a, "db.system") ?? AttributeValues.FindString(a, "messaging.system")
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
                return uri.Authority + uri.AbsolutePath;
            }
        }

        return $"{host}:{port}";
    }

    public static bool IsClientLike(Span span) =>
        span.Kind is SpanKind.Client or SpanKind.Producer
        || AttributeValues.Find(span.AttributeSpan, "db.system") is not null
        || AttributeValues.Find(span.AttributeSpan, "peer.service") is not null;
}
