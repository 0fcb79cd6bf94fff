using System.ComponentModel;
using OpsAssistant.Infrastructure.Llm;

namespace OpsAssistant.Infrastructure.Tests.Llm;

public sealed class ChatToolTests
{
    [Fact]
    public void FromObject_MarkedMethods_BecomeToolsOfTheGroupWithTheirDescriptions()
    {
        var tools = ChatTool.FromObject("demo", new DemoTools());

        Assert.Equal(["echo", "count"], tools.Select(t => t.Name));
        Assert.All(tools, t => Assert.Equal("demo", t.Group));
        Assert.Equal("Repeats the text.", tools[0].Description);
        Assert.Equal("", tools[1].Description);
    }

    [Fact]
    public async Task FromObject_Delegate_RunsTheMethodOnTheInstanceAndKeepsParameterDescriptions()
    {
        var target = new DemoTools();
        var echo = ChatTool.FromObject("demo", target)[0].Function;

        var answer = await (Task<string>)echo.DynamicInvoke("hi", CancellationToken.None)!;

        Assert.Equal("hi hi", answer);
        Assert.Same(target, echo.Target);
        var text = echo.Method.GetParameters()[0];
        Assert.Equal("what to repeat", text.GetCustomAttributes(typeof(DescriptionAttribute), false).Cast<DescriptionAttribute>().Single().Description);
    }

    private sealed class DemoTools
    {
        private readonly string _separator = " ";

        [ChatTool("echo")]
        [Description("Repeats the text.")]
        public Task<string> EchoAsync([Description("what to repeat")] string text, CancellationToken cancellationToken = default) =>
            Task.FromResult(text + _separator + text);

        [ChatTool("count")]
        public int Count(int start = 1) => start + _separator.Length;

        public string NotATool() => _separator;
    }
}
