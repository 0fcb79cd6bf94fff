using System.Text.Json.Serialization;

namespace OpsAssistant.Core.Incidents;

/// <summary>Where an incident stands: alert incidents are queued and worked in the background; on-demand ones are stored done.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<IncidentStatus>))]
public enum IncidentStatus
{
    [JsonStringEnumMemberName("queued")]
    Queued,

    [JsonStringEnumMemberName("running")]
    Running,

    [JsonStringEnumMemberName("done")]
    Done,

    [JsonStringEnumMemberName("failed")]
    Failed,
}
