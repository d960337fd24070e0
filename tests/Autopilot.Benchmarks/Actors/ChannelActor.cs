using System.Threading.Channels;

namespace Autopilot.Benchmarks.Actors;

/// <summary>
/// The reference point: the barest actor .NET offers, one unbounded channel and one consumer task. No supervision,
/// no paths, no system messages: what the runtime costs is the difference.
/// </summary>
internal sealed class ChannelActor
{
    private readonly Channel<(object Message, ChannelActor? Sender)> _channel =
        Channel.CreateUnbounded<(object, ChannelActor?)>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });

    private ChannelActor(Action<ChannelActor, object, ChannelActor?> handler)
    {
        _ = Task.Run(async () =>
        {
            var reader = _channel.Reader;
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    handler(this, item.Message, item.Sender);
                }
            }
        });
    }

    public static ChannelActor Start(Action<ChannelActor, object, ChannelActor?> handler) => new(handler);

    public void Tell(object message, ChannelActor? sender = null) => _channel.Writer.TryWrite((message, sender));

    public void Stop() => _channel.Writer.TryComplete();
}
