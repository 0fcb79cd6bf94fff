using System.Globalization;
using System.Text;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Incidents;

/// <summary>
/// Which dimensions the incident comparison looks at, and how a trace's values are read from the spans of one service.
/// Only these keys count: any other attribute may be renamed, added or dropped without changing the answer.
/// </summary>
public static class IncidentDimensions
{
    public const string Operation = "operation";
    public const string ExceptionType = "exception.type";
    public const string ErrorType = "error.type";
    public const string StatusMessage = "status.message";
    public const string HttpStatus = "http.response.status_code";

    /// <summary>Resource attributes read from the service's spans, in priority order (used to name the primary of aliases).</summary>
    private static readonly string[] ResourceKeys =
    [
        "service.version", "deployment.environment.name", "cloud.region", "cloud.availability_zone", "host.name",
        "k8s.node.name", "k8s.pod.name", "container.image.tag",
    ];

    /// <summary>Span attributes read from any of the service's spans; old semantic-convention names map to current ones.</summary>
    private static readonly (string Key, string As)[] SpanKeys =
    [
        ("http.route", "http.route"),
        ("http.response.status_code", HttpStatus),
        ("http.status_code", HttpStatus),
        ("rpc.grpc.status_code", "rpc.grpc.status_code"),
        ("peer.service", "peer.service"),
        ("server.address", "server.address"),
        ("db.system.name", "db.system"),
        ("db.system", "db.system"),
    ];

    /// <summary>
    /// Every key, in the order used to break ties and to pick the primary of dimensions that alias each other: where the
    /// change was made (version, place) before what it did, and a status code before the exception type, which client
    /// libraries often make generic (HttpRequestException for any bad status).
    /// </summary>
    public static IReadOnlyList<string> Priority { get; } =
    [
        "service.version", "deployment.environment.name", "cloud.region", "cloud.availability_zone", "host.name", "k8s.node.name",
        "k8s.pod.name", "container.image.tag", "rpc.grpc.status_code", HttpStatus, ExceptionType, ErrorType, "http.route",
        Operation, "peer.service", "server.address", "db.system", StatusMessage,
    ];

    /// <summary>The rank of a key in <see cref="Priority"/>; unknown keys sort last.</summary>
    public static int Rank(string key)
    {
        for (var i = 0; i < Priority.Count; i++)
        {
            if (string.Equals(Priority[i], key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return Priority.Count;
    }

    /// <summary>Orders dimensions by key priority, then key and value ordinally: a total order, so results never depend on input order.</summary>
    public static int Compare(IncidentDimension left, IncidentDimension right)
    {
        var byRank = Rank(left.Key).CompareTo(Rank(right.Key));
        if (byRank != 0)
        {
            return byRank;
        }

        var byKey = string.CompareOrdinal(left.Key, right.Key);
        return byKey != 0 ? byKey : string.CompareOrdinal(left.Value, right.Value);
    }

    /// <summary>
    /// The service's view of one trace, from the spans of that service (other spans may be passed and are ignored); null
    /// when the service has no span in it. The entry span is the earliest span of the service whose parent is not one of
    /// the service's spans.
    /// </summary>
    public static IncidentTrace? Extract(string traceId, IEnumerable<Span> spans, string service)
    {
        ArgumentNullException.ThrowIfNull(spans);
        var own = spans.Where(s => string.Equals(s.ServiceName, service, StringComparison.Ordinal)).ToList();
        if (own.Count == 0)
        {
            return null;
        }

        var ids = new HashSet<string>(own.Select(s => s.SpanId), StringComparer.OrdinalIgnoreCase);
        var entry = own
            .Where(s => s.ParentSpanId is not { Length: > 0 } parent || !ids.Contains(parent))
            .DefaultIfEmpty(own[0])
            .OrderBy(s => s.StartUnixNano).ThenBy(s => s.SpanId, StringComparer.OrdinalIgnoreCase)
            .First();

        var values = new HashSet<IncidentDimension> { new(Operation, entry.Name) };
        var failed = false;
        foreach (var span in own)
        {
            foreach (var key in ResourceKeys)
            {
                Add(values, key, AttributeValues.Find(span.Resource.Attributes, key));
            }

            // The pre-1.27 semantic-convention name of the same attribute.
            Add(values, "deployment.environment.name", AttributeValues.Find(span.Resource.Attributes, "deployment.environment"));

            foreach (var (key, alias) in SpanKeys)
            {
                Add(values, alias, span.GetAttribute(key));
            }

            if (!span.IsError)
            {
                continue;
            }

            failed = true;
            Add(values, ErrorType, span.GetAttribute(ErrorType));
            foreach (var exception in span.Events.Where(e => e.IsException))
            {
                Add(values, ExceptionType, AttributeValues.Find(exception.Attributes, ExceptionType));
            }

            if (MessageClass(span.StatusMessage) is { } messageClass)
            {
                values.Add(new IncidentDimension(StatusMessage, messageClass));
            }
        }

        var dimensions = values.ToList();
        dimensions.Sort(Compare);
        return new IncidentTrace(traceId, entry.StartUnixNano, entry.DurationNano, failed, entry.Name, dimensions);
    }

    /// <summary>
    /// A status message with its variable parts (digits, quoted text) blanked, so "timeout after 3012 ms" and
    /// "timeout after 2999 ms" count as one value.
    /// </summary>
    public static string? MessageClass(string? message)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return null;
        }

        var builder = new StringBuilder(Math.Min(message.Length, 80));
        var inQuote = '\0';
        var lastWasPlaceholder = false;
        foreach (var c in message.Trim())
        {
            if (builder.Length >= 80)
            {
                break;
            }

            if (inQuote != '\0')
            {
                inQuote = c == inQuote ? '\0' : inQuote;
                continue;
            }

            if (c is '\'' or '"')
            {
                inQuote = c;
                AppendPlaceholder(builder, ref lastWasPlaceholder);
                continue;
            }

            if (char.IsAsciiDigit(c))
            {
                AppendPlaceholder(builder, ref lastWasPlaceholder);
                continue;
            }

            if (char.IsControl(c))
            {
                continue;
            }

            builder.Append(c);
            lastWasPlaceholder = false;
        }

        return builder.ToString().Trim();
    }

    private static void AppendPlaceholder(StringBuilder builder, ref bool lastWasPlaceholder)
    {
        if (!lastWasPlaceholder)
        {
            builder.Append('#');
            lastWasPlaceholder = true;
        }
    }

    private static void Add(HashSet<IncidentDimension> values, string key, object? value)
    {
        var text = value switch
        {
            null => null,
            string s => s,
            long l => l.ToString(CultureInfo.InvariantCulture),
            double d when d == Math.Floor(d) && Math.Abs(d) < 1e15 => ((long)d).ToString(CultureInfo.InvariantCulture),
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            bool b => b ? "true" : "false",
            _ => null,
        };
        if (!string.IsNullOrWhiteSpace(text) && text.Length <= 200)
        {
            values.Add(new IncidentDimension(key, text.Trim()));
        }
    }
}
