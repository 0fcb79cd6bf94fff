namespace OpsAssistant.Infrastructure.Sources;

/// <summary>Where traces are fetched from by ID: <c>OpsAssistant:TraceSource</c>.</summary>
public sealed class TraceSourceOptions
{
    public const string SectionName = "OpsAssistant:TraceSource";

    /// <summary><c>Store</c> (default), <c>Jaeger</c>, <c>Tempo</c>, <c>Zipkin</c> or <c>Files</c>.</summary>
    public string Kind { get; set; } = TraceSourceKinds.Store;

    /// <summary>Base URL of the Jaeger query, Tempo or Zipkin HTTP API (e.g. <c>http://jaeger:16686</c>).</summary>
    public Uri? Url { get; set; }

    /// <summary>For <c>Files</c>: a directory of JSON trace files (any supported format), or one file.</summary>
    public string? Path { get; set; }

    /// <summary>For Jaeger: <c>V1</c> (query API <c>/api/traces/{id}</c>, every Jaeger release) or <c>V3</c> (<c>/api/v3/traces/{id}</c>, OTLP JSON).</summary>
    public string JaegerApi { get; set; } = "V1";

    /// <summary>One HTTP attempt; a large trace from a busy backend can take seconds.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>All attempts and backoff together.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>First retry delay (exponential with jitter after that).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public int MaxRetries { get; set; } = 3;

    /// <summary>Sent as <c>Authorization: Bearer …</c> (a Jaeger behind a token proxy, Grafana Cloud access policy tokens).</summary>
    public string? BearerToken { get; set; }

    /// <summary>With <see cref="Password"/>: <c>Authorization: Basic …</c> (Grafana Cloud Tempo: the stack's user ID and a token).</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>Sent as <c>X-Scope-OrgID</c>: the tenant of a multi-tenant Tempo (or Mimir/Loki-style gateway).</summary>
    public string? OrgId { get; set; }

    /// <summary>Any further headers by name, e.g. <c>Headers:X-Custom-Auth</c>; values are secrets like the others.</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
}
