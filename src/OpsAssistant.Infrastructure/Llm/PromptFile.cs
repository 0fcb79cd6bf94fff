using System.Collections.Concurrent;
using Microsoft.SemanticKernel;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace OpsAssistant.Infrastructure.Llm;

/// <summary>
/// Loads a prompt file from <c>prompts/</c> into Semantic Kernel's <see cref="PromptTemplateConfig"/>. The SK YAML package is
/// not available here, so the file's small, documented shape is read with YamlDotNet's node model, which needs no
/// reflection (the native CLI reads the prompt to count its tokens). Keys it does not know are ignored.
/// </summary>
public static class PromptFile
{
    /// <summary>The prompts folder shipped beside the binaries.</summary>
    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "prompts");

    private static readonly ConcurrentDictionary<string, Lazy<PromptTemplateConfig>> Loaded = new(StringComparer.Ordinal);

    /// <summary>
    /// Renders the prompt file <paramref name="name"/> of <see cref="DefaultDirectory"/> (loaded once per process) with the
    /// given variables. The templates use variables only, so they render without any plugin.
    /// </summary>
    public static Task<string> RenderAsync(string name, IReadOnlyDictionary<string, object?> arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var config = Loaded.GetOrAdd(name, n => new Lazy<PromptTemplateConfig>(() => Load(Path.Combine(DefaultDirectory, n)))).Value;
        var kernelArguments = new KernelArguments();
        foreach (var (key, value) in arguments)
        {
            kernelArguments[key] = value;
        }

        return new KernelPromptTemplateFactory().Create(config).RenderAsync(new Kernel(), kernelArguments, cancellationToken);
    }

    public static PromptTemplateConfig Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Prompt file '{path}' not found; prompts are shipped in the prompts/ folder beside the binaries.", path);
        }

        var yaml = new YamlStream();
        using (var reader = new StringReader(File.ReadAllText(path)))
        {
            yaml.Load(reader);
        }

        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode doc)
        {
            throw new InvalidDataException($"Prompt file '{path}' is empty.");
        }

        var template = Scalar(doc, "template");
        if (string.IsNullOrWhiteSpace(template))
        {
            throw new InvalidDataException($"Prompt file '{path}' has no 'template'.");
        }

        var config = new PromptTemplateConfig(template)
        {
            Name = Scalar(doc, "name"),
            Description = Scalar(doc, "description"),
            TemplateFormat = Scalar(doc, "template_format") ?? PromptTemplateConfig.SemanticKernelTemplateFormat,
        };
        if (doc.Children.TryGetValue(new YamlScalarNode("input_variables"), out var variables) && variables is YamlSequenceNode list)
        {
            foreach (var item in list.Children.OfType<YamlMappingNode>())
            {
                config.InputVariables.Add(new InputVariable
                {
                    Name = Scalar(item, "name") ?? "",
                    Description = Scalar(item, "description") ?? "",
                    IsRequired = bool.TryParse(Scalar(item, "is_required"), out var required) && required,
                });
            }
        }

        return config;
    }

    /// <summary>A scalar value; an absent key or a YAML null (empty, <c>~</c>, <c>null</c>) is null.</summary>
    private static string? Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlScalarNode { Value: { } value } scalar
        && !(scalar.Style == ScalarStyle.Plain && (value.Length == 0 || value == "~" || string.Equals(value, "null", StringComparison.OrdinalIgnoreCase)))
            ? value
            : null;
}
