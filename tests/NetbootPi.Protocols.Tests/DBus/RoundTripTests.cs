using NetbootPi.Protocols.DBus;

namespace NetbootPi.Protocols.Tests.DBus;

public class RoundTripTests
{
    [Fact]
    public void Random_signatures_and_values_survive_write_parse_read()
    {
        // A fixed seed: a failure reproduces; the iteration and signature are in the message.
        var random = new RandomValues(seed: 20261123);
        for (int iteration = 0; iteration < 2000; iteration++)
        {
            string signature = random.Signature(maxTypes: 4);
            Assert.True(DBusSignature.Validate(signature) == SignatureError.None, $"#{iteration}: generated '{signature}' is invalid");
            var writer = MessageWriter.CreateSignal("/test", "netbootpi.Test", "Values", signature);
            var written = new List<string>();
            int pos = 0;
            while (pos < signature.Length) written.Add(random.Write(ref writer, signature, ref pos));
            using var message = writer.CreateMessage();
            message.SetSerial((uint)iteration + 1);

            Assert.True(MessageFraming.Frame(message.Memory.Span) == FrameResult.Complete(message.Length), $"#{iteration} '{signature}': framing");
            var error = DBusMessage.TryParse(message.Memory.Span, out var parsed);
            Assert.True(error == MessageError.None, $"#{iteration} '{signature}': {error}");
            using (parsed)
            {
                Assert.Equal(signature, parsed!.Signature);
                var reader = parsed.GetBodyReader();
                var read = new List<string>();
                pos = 0;
                while (pos < signature.Length) read.Add(RandomValues.Read(ref reader, signature, ref pos));
                Assert.True(reader.IsAtEnd, $"#{iteration} '{signature}': bytes left over");
                Assert.Equal(written, read);
            }
        }
    }

    [Fact]
    public void Every_truncation_of_random_messages_is_rejected_without_throwing()
    {
        var random = new RandomValues(seed: 7);
        for (int iteration = 0; iteration < 100; iteration++)
        {
            string signature = random.Signature(maxTypes: 3);
            var writer = MessageWriter.CreateSignal("/t", "netbootpi.Test", "T", signature);
            int pos = 0;
            while (pos < signature.Length) random.Write(ref writer, signature, ref pos);
            using var message = writer.CreateMessage();
            message.SetSerial(1);
            var bytes = message.Memory.ToArray();
            for (int cut = 0; cut < bytes.Length; cut++)
                Assert.NotEqual(MessageError.None, DBusMessage.TryParse(bytes.AsSpan(0, cut), out _));
        }
    }

    [Fact]
    public void Flipping_any_byte_never_throws()
    {
        var random = new RandomValues(seed: 99);
        var flips = new Random(5);
        for (int iteration = 0; iteration < 100; iteration++)
        {
            string signature = random.Signature(maxTypes: 3);
            var writer = MessageWriter.CreateSignal("/t", "netbootpi.Test", "T", signature);
            int pos = 0;
            while (pos < signature.Length) random.Write(ref writer, signature, ref pos);
            using var message = writer.CreateMessage();
            message.SetSerial(1);
            var bytes = message.Memory.ToArray();
            for (int i = 0; i < bytes.Length; i++)
            {
                var mutated = (byte[])bytes.Clone();
                mutated[i] = (byte)flips.Next(256);
                // Either a valid message or a reason; an exception would fail the test.
                if (DBusMessage.TryParse(mutated, out var parsed) == MessageError.None) parsed!.Dispose();
            }
        }
    }
}
