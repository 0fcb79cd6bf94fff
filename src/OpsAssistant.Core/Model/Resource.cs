namespace OpsAssistant.Core.Model;

/// <summary>
/// The entity that produced spans (OTLP resource, Jaeger process, Zipkin local endpoint).
/// Shared by reference between all spans of the same resource.
/// </summary>
public sealed class Resource
{
    public const string UnknownService = "unknown_service";

    public Resource(string serviceName, IReadOnlyList<Attribute>? attributes = null)
    {
        ServiceName = string.IsNullOrWhiteSpace(serviceName) ? UnknownService : serviceName;
        Attributes = attributes ?? AttributeValues.Empty;
    }

    public string ServiceName { get; }

    public IReadOnlyList<Attribute> Attributes { get; }

    public static Resource Unknown { get; } = new(UnknownService);
}
