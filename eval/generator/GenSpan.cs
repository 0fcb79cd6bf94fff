namespace OpsAssistant.EvalGenerator;

/// <summary>
/// One generated span. Times are absolute microseconds: the coarsest unit among the formats (Jaeger and Zipkin), so every
/// emitter writes the same instants and a trace means the same thing in each format.
/// </summary>
internal sealed class GenSpan
{
    public required string SpanId { get; init; }

    public GenSpan? Parent { get; init; }

    public required string Service { get; init; }

    public required string Name { get; init; }

    public GenSpanKind Kind { get; init; } = GenSpanKind.Internal;

    public long StartUs { get; set; }

    public long EndUs { get; set; }

    public bool Error { get; private set; }

    public bool Ok { get; private set; }

    public string? StatusMessage { get; private set; }

    /// <summary>Jaeger FOLLOWS_FROM: an asynchronous child the parent does not wait for.</summary>
    public bool FollowsFrom { get; set; }

    /// <summary>The server half of an RPC whose client half is <see cref="Parent"/>; Zipkin writes the pair as one shared span ID.</summary>
    public bool SharedWithClient { get; init; }

    public List<KeyValuePair<string, object>> Attributes { get; } = [];

    public List<GenEvent> Events { get; } = [];

    public long DurationUs => EndUs - StartUs;

    public GenSpan Attr(string key, object value)
    {
        Attributes.Add(new(key, value));
        return this;
    }

    public GenSpan Fail(string message)
    {
        Error = true;
        Ok = false;
        StatusMessage = message;
        return this;
    }

    /// <summary>Explicit OK status (OTLP code 1), as instrumentations that set it on success write it.</summary>
    public GenSpan MarkOk()
    {
        Ok = true;
        return this;
    }

    public GenSpan Event(string name, long timeUs, params (string Key, object Value)[] attributes)
    {
        Events.Add(new GenEvent(name, timeUs, attributes.Select(a => new KeyValuePair<string, object>(a.Key, a.Value)).ToList()));
        return this;
    }

    /// <summary>Records an exception the way OpenTelemetry SDKs do: an <c>exception</c> event plus error status.</summary>
    public GenSpan Throw(string type, string message, string? stack = null)
    {
        var attributes = new List<(string, object)> { ("exception.type", type), ("exception.message", message) };
        if (stack is not null)
        {
            attributes.Add(("exception.stacktrace", stack));
        }

        Event("exception", Math.Max(StartUs, EndUs - 50), [.. attributes]);
        return Fail(message);
    }
}
