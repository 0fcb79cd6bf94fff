using System.Text.RegularExpressions;
using System.Xml.Linq;
using YamlDotNet.RepresentationModel;

namespace OpsAssistant.Server.Tests.Deploy;

/// <summary>
/// The OpsAssistant settings the files under deploy/ give the service, as the environment variables a container gets:
/// the image's own (ContainerEnvironmentVariable items of the server project), overridden by the compose file's (with its ${VAR} references filled from .env.example, as compose would from .env) and each Helm
/// tier's (values.yaml merged with the chart's ci/test-values.yaml: the ConfigMap, the non-empty Secret entries and the
/// tier's own env).
/// </summary>
internal static partial class DeploySettings
{
    public const string Prefix = "OpsAssistant__";

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OpsAssistant.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("OpsAssistant.sln not found above the test binaries.");
    }

    public static Dictionary<string, string> Compose()
    {
        var directory = Path.Combine(RepoRoot(), "deploy", "compose");
        var dotenv = File.ReadAllLines(Path.Combine(directory, ".env.example"))
            .Where(line => line.Contains('=', StringComparison.Ordinal) && !line.TrimStart().StartsWith('#'))
            .Select(line => line.Split('=', 2))
            .ToDictionary(parts => parts[0].Trim(), parts => parts[1].Trim(), StringComparer.Ordinal);

        var environment = (YamlMappingNode)Load(Path.Combine(directory, "compose.yaml"))["services"]["opsassistant"]["environment"];
        var settings = Image();
        foreach (var (key, value) in Scalars(environment).Where(entry => entry.Key.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            settings[key] = Interpolate(value, dotenv);
        }

        return settings;
    }

    /// <summary>The OpsAssistant variables the container image itself sets.</summary>
    public static Dictionary<string, string> Image() =>
        XDocument.Load(Path.Combine(RepoRoot(), "src", "OpsAssistant.Server", "OpsAssistant.Server.csproj"))
            .Descendants("ContainerEnvironmentVariable")
            .Select(item => (Key: (string?)item.Attribute("Include") ?? "", Value: (string?)item.Attribute("Value") ?? ""))
            .Where(item => item.Key.StartsWith(Prefix, StringComparison.Ordinal))
            .ToDictionary(item => item.Key, item => item.Value, StringComparer.Ordinal);

    public static Dictionary<string, string> Helm(string tier)
    {
        var chart = Path.Combine(RepoRoot(), "deploy", "helm", "opsassistant");
        var values = Merge((YamlMappingNode)Load(Path.Combine(chart, "values.yaml")), (YamlMappingNode)Load(Path.Combine(chart, "ci", "test-values.yaml")));

        var settings = Image();
        foreach (var (key, value) in Scalars(values["config"]))
        {
            settings[key] = value;
        }

        foreach (var (key, value) in Scalars(values["secretEnv"]).Where(entry => entry.Value.Length > 0))
        {
            settings[key] = value;
        }

        foreach (var (key, value) in Scalars(values[tier]["config"]))
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>Compose's variable syntax: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, $$.</summary>
    internal static string Interpolate(string text, IReadOnlyDictionary<string, string> variables) =>
        Variable().Replace(text, match =>
        {
            if (match.Value == "$$")
            {
                return "$";
            }

            var name = match.Groups["name"].Value;
            var op = match.Groups["op"].Value;
            var arg = match.Groups["arg"].Value;
            var set = variables.TryGetValue(name, out var value);
            var usable = op.StartsWith(':') ? set && value!.Length > 0 : set;
            return op.TrimStart(':') switch
            {
                "-" => usable ? value! : arg,
                "?" => usable ? value! : throw new InvalidOperationException($"compose would stop: {name}: {arg}"),
                _ => set ? value! : "",
            };
        });

    private static YamlNode Load(string path)
    {
        using var reader = new StreamReader(path);
        var stream = new YamlStream();
        stream.Load(reader);
        return stream.Documents[0].RootNode;
    }

    private static YamlMappingNode Merge(YamlMappingNode baseline, YamlMappingNode overrides)
    {
        foreach (var (key, value) in overrides.Children)
        {
            baseline.Children[key] = baseline.Children.TryGetValue(key, out var existing) && existing is YamlMappingNode a && value is YamlMappingNode b
                ? Merge(a, b)
                : value;
        }

        return baseline;
    }

    private static IEnumerable<KeyValuePair<string, string>> Scalars(YamlNode node) =>
        ((YamlMappingNode)node).Children.Select(entry =>
            KeyValuePair.Create(((YamlScalarNode)entry.Key).Value!, ((YamlScalarNode)entry.Value).Value ?? ""));

    [GeneratedRegex(@"\$\$|\$\{(?<name>\w+)(?:(?<op>:?[-?])(?<arg>[^}]*))?\}")]
    private static partial Regex Variable();
}
