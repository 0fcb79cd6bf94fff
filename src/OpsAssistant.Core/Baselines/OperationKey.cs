using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Baselines;

/// <summary>What a baseline is kept for: one operation of one service, on one side of a call (its span kind).</summary>
public readonly record struct OperationKey(string Service, string Operation, SpanKind Kind)
{
    /// <summary>The span kind as the API and <c>baseline.json</c> write it: <c>server</c>, <c>client</c>, ... or <c>unspecified</c>.</summary>
    public static string KindName(SpanKind kind) => kind switch
    {
        SpanKind.Internal => "internal",
        SpanKind.Server => "server",
        SpanKind.Client => "client",
        SpanKind.Producer => "producer",
        SpanKind.Consumer => "consumer",
        _ => "unspecified",
    };

    /// <summary>Reads a kind name (case-insensitive); false for anything else.</summary>
    public static bool TryParseKind(string? name, out SpanKind kind)
    {
        kind = name?.ToUpperInvariant() switch
        {
            "INTERNAL" => SpanKind.Internal,
            "SERVER" => SpanKind.Server,
            "CLIENT" => SpanKind.Client,
            "PRODUCER" => SpanKind.Producer,
            "CONSUMER" => SpanKind.Consumer,
            "UNSPECIFIED" => SpanKind.Unspecified,
            _ => (SpanKind)(-1),
        };
        return (int)kind >= 0;
    }
}
