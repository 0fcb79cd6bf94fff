namespace OpsAssistant.Core.Incidents;

/// <summary>One dimension value a trace carries, e.g. <c>service.version=2.4.1</c> or <c>operation=GET /checkout</c>.</summary>
public readonly record struct IncidentDimension(string Key, string Value)
{
    public override string ToString() => $"{Key}={Value}";
}
