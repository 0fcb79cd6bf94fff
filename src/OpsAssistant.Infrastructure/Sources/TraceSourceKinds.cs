namespace OpsAssistant.Infrastructure.Sources;

/// <summary>The values of <c>OpsAssistant:TraceSource:Kind</c> and the source names the CLI's <c>--source</c> takes.</summary>
public static class TraceSourceKinds
{
    public const string Store = "Store";
    public const string Jaeger = "Jaeger";
    public const string Tempo = "Tempo";
    public const string Zipkin = "Zipkin";
    public const string Files = "Files";

    /// <summary>The kinds, as <c>OpsAssistant:TraceSource:Kind</c> takes them.</summary>
    public static IReadOnlyList<string> All { get; } = [Store, Jaeger, Tempo, Zipkin, Files];

    /// <summary>
    /// The short names, in the same order, that requests and the CLI's <c>--source</c> take and results report
    /// (<c>store</c>, <c>jaeger</c>, <c>tempo</c>, <c>zipkin</c>, <c>file</c>).
    /// </summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(kind => kind == Files ? "file" : kind.ToLowerInvariant())];

    /// <summary>True when <paramref name="name"/> is one of <see cref="Names"/> (any case, surrounding space ignored).</summary>
    public static bool IsName(string? name) => name is not null && Names.Contains(name.Trim().ToLowerInvariant(), StringComparer.Ordinal);

    /// <summary>Maps a kind or a short source name (<c>store|jaeger|tempo|zipkin|file|files</c>) to its kind, or null.</summary>
    public static string? Normalize(string? name) => name?.Trim().ToUpperInvariant() switch
    {
        "STORE" => Store,
        "JAEGER" => Jaeger,
        "TEMPO" => Tempo,
        "ZIPKIN" => Zipkin,
        "FILE" or "FILES" => Files,
        _ => null,
    };

    public static bool IsHttp(string kind) => kind is Jaeger or Tempo or Zipkin;
}
