using System.ComponentModel;
using System.Linq.Expressions;
using System.Reflection;

namespace OpsAssistant.Infrastructure.Llm;

/// <summary>
/// One tool offered to the chat model, in plain terms: the group it belongs to (the model sees <c>{group}-{name}</c>), its
/// name, what it does, and the delegate that runs it. The delegate's parameters are the tool's arguments: their
/// <see cref="DescriptionAttribute"/>s and defaults become the argument schema, a <see cref="CancellationToken"/> parameter
/// receives the turn's. It returns the tool's answer (a string of JSON for the tools here), or a task of it.
/// </summary>
public sealed record ChatTool(string Group, string Name, string Description, Delegate Function)
{
    /// <summary>The public methods of <paramref name="target"/> marked <see cref="ChatToolAttribute"/>, as tools of <paramref name="group"/>.</summary>
    public static IReadOnlyList<ChatTool> FromObject(string group, object target)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(group);
        ArgumentNullException.ThrowIfNull(target);
        return [.. target.GetType().GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Select(method => (method, tool: method.GetCustomAttribute<ChatToolAttribute>()))
            .Where(m => m.tool is not null)
            .OrderBy(m => m.method.MetadataToken)
            .Select(m => new ChatTool(group, m.tool!.Name, m.method.GetCustomAttribute<DescriptionAttribute>()?.Description ?? "", Bind(m.method, target)))];
    }

    /// <summary>A delegate over the instance method, keeping the method (and so its parameter attributes) for the schema.</summary>
    private static Delegate Bind(MethodInfo method, object target) =>
        method.CreateDelegate(Expression.GetDelegateType([.. method.GetParameters().Select(p => p.ParameterType), method.ReturnType]), target);
}
