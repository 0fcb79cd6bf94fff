using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpsAssistant.Server.Health;

internal static class HealthJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
}
