using Microsoft.Extensions.Configuration;
using OpsAssistant.Server.Webhooks;

namespace OpsAssistant.Server.Tests.Deploy;

/// <summary>
/// The settings deploy/ gives OpsAssistant (compose and each Helm tier) pass the service's own start-up checks, and the
/// check itself catches a misspelt key, a bad value and missing credentials.
/// </summary>
public sealed class DeployConfigurationTests
{
    public static TheoryData<string> Deployments => ["compose", "helm:web", "helm:worker"];

    [Theory]
    [MemberData(nameof(Deployments))]
    public async Task DeploySettings_PassTheServicesStartupValidation(string deployment)
    {
        var settings = Settings(deployment);

        var problems = await DeployConfigurationCheck.ProblemsAsync(settings);

        Assert.True(settings.Count >= 4, $"{deployment} sets only {settings.Count} OpsAssistant keys");
        Assert.Empty(problems);
    }

    [Fact]
    public void ImageSettings_KeepTheSqliteStoreInTheVolume()
    {
        var image = DeploySettings.Image();

        Assert.StartsWith("/home/app/", image["OpsAssistant__Storage__Path"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("helm:web", false)]
    [InlineData("helm:worker", true)]
    [InlineData("compose", true)]
    public void DeploySettings_RunTheQueueWorkerOnlyWhereIntended(string deployment, bool runsWorker)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(Settings(deployment).Select(e => KeyValuePair.Create(e.Key.Replace("__", ":", StringComparison.Ordinal), (string?)e.Value)))
            .Build();

        var webhooks = configuration.GetSection(WebhookOptions.SectionName).Get<WebhookOptions>() ?? new WebhookOptions();

        Assert.Equal(runsWorker, webhooks.RunWorker);
        Assert.Equal("Postgres", configuration["OpsAssistant:Storage:Provider"]);
    }

    [Theory]
    [InlineData("helm:web", "OpsAssistant__Webhooks__RunWorkers", "false", "RunWorkers")]
    [InlineData("helm:web", "OpsAssistant__Storage__Provdier", "Postgres", "Provdier")]
    [InlineData("helm:web", "OpsAssistant__SeedSample", "false", "OpsAssistant:SeedSample")]
    [InlineData("helm:web", "OpsAssistant__SeedSamples", "sometimes", "OpsAssistant:SeedSamples")]
    [InlineData("compose", "OpsAssistant__Storage__Provider", "Mongo", "OpsAssistant:Storage:Provider")]
    [InlineData("compose", "OpsAssistant__Security__ApiKeys__0", "short", "OpsAssistant:Security:ApiKeys")]
    [InlineData("compose", "OpsAssistant__Sampling__DefaultRate", "1.5", "OpsAssistant:Sampling")]
    public async Task Check_MisspeltKeyOrBadValue_IsReportedByName(string deployment, string key, string value, string named)
    {
        var settings = Settings(deployment);
        settings[key] = value;

        var problems = await DeployConfigurationCheck.ProblemsAsync(settings);

        Assert.Contains(problems, p => p.Contains(named, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_NoWebhookCredential_IsRefusedByTheExposureGuard()
    {
        var settings = Settings("helm:worker");
        settings.Remove("OpsAssistant__Security__WebhookToken");

        var problems = await DeployConfigurationCheck.ProblemsAsync(settings);

        Assert.Contains(problems, p => p.Contains("OpsAssistant:Security:WebhookToken or OpsAssistant:Security:WebhookHmacSecret", StringComparison.Ordinal));
    }

    [Fact]
    public void ComposeInterpolation_RequiredVariableMissing_Throws()
    {
        var variables = new Dictionary<string, string> { ["SET"] = "x", ["EMPTY"] = "" };

        Assert.Equal("x|d|$|", DeploySettings.Interpolate("${SET}|${EMPTY:-d}|$$|${EMPTY-d}", variables));
        Assert.Throws<InvalidOperationException>(() => DeploySettings.Interpolate("${MISSING:?set it}", variables));
    }

    private static Dictionary<string, string> Settings(string deployment) =>
        deployment == "compose" ? DeploySettings.Compose() : DeploySettings.Helm(deployment["helm:".Length..]);
}
