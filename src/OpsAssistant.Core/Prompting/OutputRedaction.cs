using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Results;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Core.Prompting;

/// <summary>
/// The redactor applied at the edge of every output, not only the prompt: an analysis result's free text is built from
/// span names, status messages and attribute values, so whatever a careless service recorded would otherwise be stored,
/// returned, streamed and posted to a notification receiver verbatim. Identifiers (trace, span, analysis IDs), numbers
/// and categories are left as they are; the rules are the prompt's own.
/// </summary>
public static class OutputRedaction
{
    /// <summary>The result with every free-text field redacted: summary, titles, operations, evidence, remediation, warnings, degraded reason.</summary>
    public static AnalysisResult Redact(this SecretRedactor redactor, AnalysisResult result)
    {
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentNullException.ThrowIfNull(result);
        return result with
        {
            Summary = redactor.Redact(result.Summary),
            Degraded = RedactOrNull(redactor, result.Degraded),
            Warnings = result.Warnings is null ? null : [.. result.Warnings.Select(redactor.Redact)],
            Hypotheses = [.. result.Hypotheses.Select(h => h with
            {
                Title = redactor.Redact(h.Title),
                Service = RedactOrNull(redactor, h.Service),
                Operation = RedactOrNull(redactor, h.Operation),
                Evidence = [.. h.Evidence.Select(redactor.Redact)],
                Remediation = redactor.Redact(h.Remediation),
            })],
        };
    }

    /// <summary>A stored analysis as it may be shown: its result, error and subject (alert text) redacted.</summary>
    public static AnalysisRecord Redact(this SecretRedactor redactor, AnalysisRecord record)
    {
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentNullException.ThrowIfNull(record);
        return record with
        {
            Result = record.Result is null ? null : redactor.Redact(record.Result),
            Error = RedactOrNull(redactor, record.Error),
            Subject = RedactOrNull(redactor, record.Subject),
        };
    }

    /// <summary>
    /// Copies of the spans with names, status messages, attribute values (by key and by shape), events and links redacted,
    /// for a display of the trace (the page's waterfall). Lazy, so a streamed response never holds a second copy of the
    /// trace; spans of one resource or scope still share one redacted resource or scope, which keeps the grouping.
    /// </summary>
    public static IEnumerable<Span> RedactSpans(this SecretRedactor redactor, IEnumerable<Span> spans)
    {
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentNullException.ThrowIfNull(spans);
        var resources = new Dictionary<Resource, Resource>(ReferenceEqualityComparer.Instance);
        var scopes = new Dictionary<InstrumentationScope, InstrumentationScope>(ReferenceEqualityComparer.Instance);
        foreach (var span in spans)
        {
            if (!resources.TryGetValue(span.Resource, out var resource))
            {
                resource = new Resource(redactor.Redact(span.Resource.ServiceName), Attributes(redactor, span.Resource.Attributes));
                resources[span.Resource] = resource;
            }

            if (!scopes.TryGetValue(span.Scope, out var scope))
            {
                scope = span.Scope with { Attributes = span.Scope.Attributes is null ? null : Attributes(redactor, span.Scope.Attributes) };
                scopes[span.Scope] = scope;
            }

            yield return new Span
            {
                TraceId = span.TraceId,
                SpanId = span.SpanId,
                ParentSpanId = span.ParentSpanId,
                ParentIsFollowsFrom = span.ParentIsFollowsFrom,
                Name = redactor.Redact(span.Name),
                Kind = span.Kind,
                StartUnixNano = span.StartUnixNano,
                EndUnixNano = span.EndUnixNano,
                Status = span.Status,
                StatusMessage = RedactOrNull(redactor, span.StatusMessage),
                Resource = resource,
                Scope = scope,
                Attributes = Attributes(redactor, span.Attributes),
                Events = [.. span.Events.Select(e => e with { Name = redactor.Redact(e.Name), Attributes = Attributes(redactor, e.Attributes) })],
                Links = [.. span.Links.Select(l => l with { Attributes = Attributes(redactor, l.Attributes) })],
                TraceState = span.TraceState,
            };
        }
    }

    private static Attribute[] Attributes(SecretRedactor redactor, IReadOnlyList<Attribute> attributes)
    {
        var copy = new Attribute[attributes.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            var attribute = attributes[i];
            copy[i] = attribute with { Value = Value(redactor, attribute.Key, attribute.Value) };
        }

        return copy;
    }

    /// <summary>Strings are redacted by key then shape; arrays element by element; numbers and booleans kept.</summary>
    private static object? Value(SecretRedactor redactor, string key, object? value) => value switch
    {
        string text => redactor.RedactAttribute(key, text),
        byte[] => redactor.IsSensitiveKey(key) ? SecretRedactor.Marker : value,
        object?[] array => array.Select(item => Value(redactor, key, item)).ToArray(),
        _ => value,
    };

    private static string? RedactOrNull(SecretRedactor redactor, string? text) => text is null ? null : redactor.Redact(text);
}
