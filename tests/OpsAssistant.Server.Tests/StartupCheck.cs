using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace OpsAssistant.Server.Tests;

/// <summary>
/// Composes the service exactly as Program.cs does, with a test's settings, and runs the start-up validation the real
/// process runs before it listens (the same call <c>RunOpsAssistantAsync</c> makes). Nothing starts, so a refused
/// configuration is checked without a half-started host.
/// </summary>
internal static class StartupCheck
{
    /// <summary>The refusal message the process would print, or null when the configuration is accepted.</summary>
    public static string? Refusal(Dictionary<string, string?> settings)
    {
        var directory = Directory.CreateTempSubdirectory("opsassistant-startup-").FullName;
        try
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = directory });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["OpsAssistant:Storage:Path"] = Path.Combine(directory, "traces.db") });
            builder.Configuration.AddInMemoryCollection(settings);
            builder.AddOpsAssistant();
            using var app = builder.Build();
            try
            {
                app.ValidateOpsAssistantConfiguration();
                return null;
            }
            catch (Exception ex) when (OpsAssistantHostExtensions.ValidationFailures(ex) is { Count: > 0 } failures)
            {
                return OpsAssistantHostExtensions.StartupRefusal(failures);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
