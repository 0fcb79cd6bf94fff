using Microsoft.SemanticKernel;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace OpsAssistant.Infrastructure.Llm;

/// <summary>
/// Loads a prompt file from <c>prompts/</c> into Semantic Kernel's <see cref="PromptTemplateConfig"/>. The SK YAML package is
/// not available here, so the file's small, documented shape is read with YamlDotNet.
/// </summary>
public static class PromptFile
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .IgnoreUnmatchedProperties()
        .Build();

    /// <summary>The prompts folder shipped beside the binaries.</summary>
    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "prompts");

    public static PromptTemplateConfig Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Prompt file '{path}' not found; prompts are shipped in the prompts/ folder beside the binaries.", path);
        }

        var doc = Yaml.Deserialize<PromptDocument>(File.ReadAllText(path))
            ?? throw new InvalidDataException($"Prompt file '{path}' is empty.");
        if (string.IsNullOrWhiteSpace(doc.Template))
        {
            throw new InvalidDataException($"Prompt file '{path}' has no 'template'.");
        }

        var config = new PromptTemplateConfig(doc.Template)
        {
            Name = doc.Name,
            Description = doc.Description,
            TemplateFormat = doc.TemplateFormat ?? PromptTemplateConfig.SemanticKernelTemplateFormat,
        };
        foreach (var v in doc.InputVariables ?? [])
        {
            config.InputVariables.Add(new InputVariable { Name = v.Name ?? "", Description = v.Description ?? "", IsRequired = v.IsRequired });
        }

        return config;
    }

    private sealed class PromptDocument
    {
        public string? Name { get; set; }

        public int Version { get; set; }

        public string? Description { get; set; }

        public string? TemplateFormat { get; set; }

        public List<PromptVariable>? InputVariables { get; set; }

        public string? Template { get; set; }
    }

    private sealed class PromptVariable
    {
        public string? Name { get; set; }

        public string? Description { get; set; }

        public bool IsRequired { get; set; }
    }
}
