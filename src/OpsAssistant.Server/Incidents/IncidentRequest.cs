namespace OpsAssistant.Server.Incidents;

/// <summary>
/// The body of <c>POST /api/incidents</c>: the service, and the alert window as <c>from</c>/<c>to</c> (ISO 8601), or one
/// of them with <c>duration</c> (<c>PT15M</c> or <c>00:15:00</c>), or neither (the last <c>Incidents:DefaultWindow</c>).
/// </summary>
internal sealed record IncidentRequest(string? Service, string? From, string? To, string? Duration);
