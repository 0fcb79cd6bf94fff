using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpsAssistant.Core.Prompting;
using OpsAssistant.Infrastructure.Storage;
using OpsAssistant.Server.Security;

namespace OpsAssistant.Server.Tests.Deploy;

/// <summary>
/// Runs the service's own checks over a deployment's environment, as the container would start with it: every key must
/// name a property of an options class (or a key of appsettings.json), and every value must pass the validation the
/// process runs before it listens, whose exposure guard must accept the service listening on the image's port 8080.
/// </summary>
internal static class DeployConfigurationCheck
{
    /// <summary>What the image's ASPNETCORE_HTTP_PORTS=8080 becomes in the host's configuration.</summary>
    private static readonly KeyValuePair<string, string?> ImagePorts = KeyValuePair.Create("http_ports", (string?)"8080");

    public static async Task<IReadOnlyList<string>> ProblemsAsync(IReadOnlyDictionary<string, string> environment)
    {
        var settings = environment.ToDictionary(e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => (string?)e.Value, StringComparer.OrdinalIgnoreCase);
        var problems = UnknownKeys(settings);

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = DeploySettings.RepoRoot() });
        builder.Configuration.AddInMemoryCollection(settings.Append(ImagePorts));
        builder.AddOpsAssistant();
        await using var app = builder.Build();
        try
        {
            // The same validation the process runs before it listens, the exposure guard included.
            app.ValidateOpsAssistantConfiguration();
        }
        catch (Exception e) when (OpsAssistantHostExtensions.ValidationFailures(e) is { Count: > 0 } failures)
        {
            problems.AddRange(failures);
        }

        return problems;
    }

    /// <summary>
    /// A key under an options class's section must bind to it with unknown keys as errors (a misspelt property would
    /// otherwise be ignored in silence); any other key must be one appsettings.json lists, with a value of the same kind.
    /// </summary>
    private static List<string> UnknownKeys(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var sections = OptionsSections();
        var defaults = AppSettingsScalars();
        var problems = new List<string>();
        var owned = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var key in settings.Keys)
        {
            var owner = sections.Keys.FirstOrDefault(section => key.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase));
            if (owner is not null)
            {
                owned.Add(owner);
            }
            else if (!defaults.TryGetValue(key, out var kind))
            {
                problems.Add($"{key} is not a configuration key of OpsAssistant (no options class or appsettings.json entry has it).");
            }
            else if (WrongKind(kind, settings[key]) is { } expected)
            {
                problems.Add($"{key}={settings[key]} is not a {expected}.");
            }
        }

        foreach (var section in owned)
        {
            try
            {
                configuration.GetSection(section).Get(sections[section], o => o.ErrorOnUnknownConfiguration = true);
            }
            catch (InvalidOperationException e)
            {
                problems.Add($"{section}: {e.Message}");
            }
        }

        return problems;
    }

    /// <summary>What a value should have been, when appsettings.json's default is a boolean or a number and it is not one.</summary>
    private static string? WrongKind(JsonValueKind kind, string? value) => kind switch
    {
        JsonValueKind.True or JsonValueKind.False when !bool.TryParse(value, out _) => "boolean",
        JsonValueKind.Number when !double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out _) => "number",
        _ => null,
    };

    /// <summary>Every options class of the service, by the <c>SectionName</c> it binds.</summary>
    private static Dictionary<string, Type> OptionsSections() =>
        new[] { typeof(RedactionOptions).Assembly, typeof(StorageOptions).Assembly, typeof(SecurityOptions).Assembly }
            .SelectMany(assembly => assembly.GetTypes())
            .Select(type => (Type: type, Field: type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)))
            .Where(t => t.Field is { IsLiteral: true } && t.Field.GetRawConstantValue() is string name && name.StartsWith("OpsAssistant:", StringComparison.Ordinal))
            .ToDictionary(t => (string)t.Field!.GetRawConstantValue()!, t => t.Type, StringComparer.OrdinalIgnoreCase);

    private static Dictionary<string, JsonValueKind> AppSettingsScalars()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(DeploySettings.RepoRoot(), "appsettings.json")));
        var keys = new Dictionary<string, JsonValueKind>(StringComparer.OrdinalIgnoreCase);
        Flatten(document.RootElement, "", keys);
        return keys;
    }

    private static void Flatten(JsonElement element, string path, Dictionary<string, JsonValueKind> keys)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                Flatten(property.Value, path.Length == 0 ? property.Name : $"{path}:{property.Name}", keys);
            }
        }
        else
        {
            keys[path] = element.ValueKind;
        }
    }
}
