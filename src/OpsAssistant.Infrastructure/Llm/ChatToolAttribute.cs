namespace OpsAssistant.Infrastructure.Llm;

/// <summary>
/// Marks a public method as a tool the chat model may call, under <paramref name="name"/>. The method's
/// <see cref="System.ComponentModel.DescriptionAttribute"/> describes the tool to the model, and each parameter's describes
/// that argument; parameter defaults make an argument optional, and a <see cref="CancellationToken"/> parameter is passed
/// the turn's. <see cref="ChatTool.FromObject"/> collects the marked methods of an object.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class ChatToolAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
