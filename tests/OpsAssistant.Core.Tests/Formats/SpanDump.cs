using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OpsAssistant.Core.Model;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Core.Tests.Formats;

/// <summary>
/// Every field of decoded spans as ASCII text, one line per span, values tagged by type (a long 1 and a string "1"
/// differ, a double is written as its bits), and <see cref="Resource"/> and <see cref="InstrumentationScope"/> numbered
/// by instance, so two decodes that print the same text gave the same spans with the same sharing.
/// </summary>
internal static class SpanDump
{
    /// <param name="protobufCarries">Leave out what OTLP protobuf has no field for (a Jaeger FOLLOWS_FROM parent, a link's kind) and number scopes by value, for comparing a protobuf round trip with another format's reading.</param>
    public static string Of(IEnumerable<Span> spans, bool protobufCarries = false)
    {
        var resources = new Dictionary<object, int>(ReferenceEqualityComparer.Instance);
        var scopes = new Dictionary<object, int>(ReferenceEqualityComparer.Instance);
        var text = new StringBuilder();
        foreach (var span in spans)
        {
            var resource = Number(resources, span.Resource);
            var scope = protobufCarries ? "" : $"#{Number(scopes, span.Scope)}";
            text.Append(CultureInfo.InvariantCulture, $"{span.TraceId} {span.SpanId} parent={span.ParentSpanId ?? "-"}");
            if (!protobufCarries)
            {
                text.Append(CultureInfo.InvariantCulture, $" followsFrom={span.ParentIsFollowsFrom}");
            }

            text.Append(CultureInfo.InvariantCulture, $" name={Quote(span.Name)} kind={span.Kind} time={span.StartUnixNano}..{span.EndUnixNano}")
                .Append(CultureInfo.InvariantCulture, $" status={span.Status} message={Quote(span.StatusMessage)} traceState={Quote(span.TraceState)}")
                .Append(CultureInfo.InvariantCulture, $" resource#{resource}={Quote(span.ServiceName)}{Attributes(span.Resource.Attributes)}")
                .Append(CultureInfo.InvariantCulture, $" scope{scope}={Quote(span.Scope.Name)} version={Quote(span.Scope.Version)}{Attributes(span.Scope.Attributes)}")
                .Append(CultureInfo.InvariantCulture, $" attributes{Attributes(span.Attributes)}");
            foreach (var e in span.Events)
            {
                text.Append(CultureInfo.InvariantCulture, $" event({Quote(e.Name)} {e.TimeUnixNano}{Attributes(e.Attributes)})");
            }

            foreach (var link in span.Links)
            {
                text.Append(CultureInfo.InvariantCulture, $" link({link.TraceId} {link.SpanId}{(protobufCarries ? "" : " " + Quote(link.Kind))}{Attributes(link.Attributes)})");
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    /// <summary>A short digest of <see cref="Of"/>, for recording many decodes in little space.</summary>
    public static string Hash(IEnumerable<Span> spans) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(Of(spans))))[..16];

    private static int Number(Dictionary<object, int> numbers, object instance)
    {
        if (!numbers.TryGetValue(instance, out var number))
        {
            number = numbers.Count;
            numbers[instance] = number;
        }

        return number;
    }

    private static string Attributes(IReadOnlyList<Attribute>? attributes) =>
        attributes is null ? "[null]" : "[" + string.Join(", ", attributes.Select(a => Quote(a.Key) + "=" + Value(a.Value))) + "]";

    private static string Value(object? value) => value switch
    {
        null => "null",
        string s => "s:" + Quote(s),
        bool b => "b:" + (b ? "true" : "false"),
        long l => "i:" + l.ToString(CultureInfo.InvariantCulture),
        double d => "d:" + BitConverter.DoubleToInt64Bits(d).ToString("x16", CultureInfo.InvariantCulture),
        byte[] bytes => "x:" + Convert.ToHexStringLower(bytes),
        object?[] array => "[" + string.Join(", ", array.Select(Value)) + "]",
        _ => "?" + value.GetType().Name,
    };

    /// <summary>Quoted, with everything outside printable ASCII escaped (a replacement character shows as \ufffd).</summary>
    private static string Quote(string? text)
    {
        if (text is null)
        {
            return "-";
        }

        var quoted = new StringBuilder("\"");
        foreach (var c in text)
        {
            if (c is >= ' ' and <= '~' and not '"' and not '\\')
            {
                quoted.Append(c);
            }
            else
            {
                quoted.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
        }

        return quoted.Append('"').ToString();
    }
}
