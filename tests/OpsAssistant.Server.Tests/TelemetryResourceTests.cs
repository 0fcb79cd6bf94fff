using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace OpsAssistant.Server.Tests;

/// <summary>
/// The standard OpenTelemetry resource settings belong to whoever deploys the service: OTEL_SERVICE_NAME and
/// OTEL_RESOURCE_ATTRIBUTES must reach the exported resource rather than lose to the built-in "opsassistant".
/// </summary>
public sealed class TelemetryResourceTests
{
    [Fact]
    public void Resource_WithOtelServiceNameAndAttributes_ExportsThemOverTheBuiltInName()
    {
        using var host = new OpsAssistantHost(new()
        {
            ["OTEL_SERVICE_NAME"] = "rca-eu-west",
            ["OTEL_RESOURCE_ATTRIBUTES"] = "deployment.environment.name=staging,service.namespace=observability",
        });

        var attributes = host.Services.GetRequiredService<TracerProvider>().GetResource().Attributes.ToDictionary(a => a.Key, a => a.Value);

        Assert.Equal("rca-eu-west", attributes["service.name"]);
        Assert.Equal("staging", attributes["deployment.environment.name"]);
        Assert.Equal("observability", attributes["service.namespace"]);
    }

    [Fact]
    public void Resource_WithoutOtelSettings_NamesTheServiceOpsAssistant()
    {
        using var host = new OpsAssistantHost();

        var attributes = host.Services.GetRequiredService<TracerProvider>().GetResource().Attributes.ToDictionary(a => a.Key, a => a.Value);

        Assert.Equal("opsassistant", attributes["service.name"]);
        Assert.True(attributes.ContainsKey("service.version"));
    }
}
