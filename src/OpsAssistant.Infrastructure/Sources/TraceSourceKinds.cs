namespace OpsAssistant.Infrastructure.Sources;

/// <summary>The values of <c>OpsAssistant:TraceSource:Kind</c> and the source names the CLI's <c>--source</c> takes.</summary>
public static class TraceSourceKinds
{
    public const string Store = "Store";
    public const string Jaeger = "Jaeger";
    public const string Tempo = "Tempo";
    public const string Zipkin = "Zipkin";
    public const string Files = "Files";

    public static IReadOnlyList<string> All { get; } = [Store, Jaeger, Tempo, Zipkin, Files];

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
