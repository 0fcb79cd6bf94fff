namespace OpsAssistant.Infrastructure.Storage;

/// <summary>One stored span as read back: the indexed columns and the payload blob. A struct: a trace reads thousands.</summary>
internal readonly record struct SpanRow(string TraceId, string SpanId, string? ParentSpanId, string Name, long StartNano, long EndNano, byte[] Payload);
