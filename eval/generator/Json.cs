using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace OpsAssistant.EvalGenerator;

/// <summary>Shared JSON writing: fixed newline and escaping so output is byte-identical on every OS.</summary>
internal static class Json
{
    /// <summary>Traces above this many spans are written without indentation to keep the repository small.</summary>
    public const int CompactAbove = 1000;

    public static byte[] Write(bool indented, Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions
        {
            Indented = indented,
            NewLine = "\n",
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            write(writer);
        }

        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    public static string Str(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Attribute value as a plain string, for formats whose tags are strings only (Zipkin).</summary>
    public static string Text(object value) => value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
