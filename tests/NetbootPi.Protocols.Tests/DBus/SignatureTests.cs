using NetbootPi.Protocols.DBus;

namespace NetbootPi.Protocols.Tests.DBus;

public class SignatureTests
{
    [Theory]
    [InlineData("")]
    [InlineData("y")]
    [InlineData("ybnqiuxtdsogh")]
    [InlineData("v")]
    [InlineData("ai")]
    [InlineData("aai")]
    [InlineData("a{sv}")]
    [InlineData("a{oa{sa{sv}}}")] // GetManagedObjects
    [InlineData("(i)")]
    [InlineData("(ii(sv)a(yy))")]
    [InlineData("a(sssssssouso)")] // systemd ListUnits
    [InlineData("uoss")] // systemd JobRemoved
    public void Accepts_valid_signatures(string signature) =>
        Assert.Equal(SignatureError.None, DBusSignature.Validate(signature));

    [Theory]
    [InlineData("a", SignatureError.ArrayWithoutElement)]
    [InlineData("ia", SignatureError.ArrayWithoutElement)]
    [InlineData("(a)", SignatureError.ArrayWithoutElement)]
    [InlineData("()", SignatureError.EmptyStruct)]
    [InlineData("(i", SignatureError.UnbalancedContainer)]
    [InlineData("i)", SignatureError.UnbalancedContainer)]
    [InlineData("(i}", SignatureError.UnbalancedContainer)]
    [InlineData("{sv}", SignatureError.BadDictEntry)] // a dict entry only as an array element
    [InlineData("a{vs}", SignatureError.BadDictEntry)] // key must be basic
    [InlineData("a{(i)s}", SignatureError.BadDictEntry)]
    [InlineData("a{s}", SignatureError.BadDictEntry)] // key only
    [InlineData("a{sss}", SignatureError.BadDictEntry)] // three types
    [InlineData("a{}", SignatureError.BadDictEntry)]
    [InlineData("a{sv", SignatureError.UnbalancedContainer)]
    [InlineData("m", SignatureError.UnknownTypeCode)] // reserved for "maybe"
    [InlineData("r", SignatureError.UnknownTypeCode)] // reserved
    [InlineData("e", SignatureError.UnknownTypeCode)]
    [InlineData("*", SignatureError.UnknownTypeCode)]
    [InlineData("i\0", SignatureError.UnknownTypeCode)]
    [InlineData("é", SignatureError.UnknownTypeCode)]
    public void Rejects_invalid_signatures(string signature, SignatureError expected) =>
        Assert.Equal(expected, DBusSignature.Validate(signature));

    [Fact]
    public void Enforces_the_length_and_nesting_limits()
    {
        Assert.Equal(SignatureError.None, DBusSignature.Validate(new string('i', 255)));
        Assert.Equal(SignatureError.TooLong, DBusSignature.Validate(new string('i', 256)));

        Assert.Equal(SignatureError.None, DBusSignature.Validate(new string('a', 32) + "i"));
        Assert.Equal(SignatureError.ArrayTooDeep, DBusSignature.Validate(new string('a', 33) + "i"));

        Assert.Equal(SignatureError.None, DBusSignature.Validate(new string('(', 32) + "i" + new string(')', 32)));
        Assert.Equal(SignatureError.StructTooDeep, DBusSignature.Validate(new string('(', 33) + "i" + new string(')', 33)));

        // Dict entries count as structs: 31 structs around one a{..} is 32, one more is too deep.
        Assert.Equal(SignatureError.None, DBusSignature.Validate(new string('(', 31) + "a{si}" + new string(')', 31)));
        Assert.Equal(SignatureError.StructTooDeep, DBusSignature.Validate(new string('(', 32) + "a{si}" + new string(')', 32)));
    }

    [Theory]
    [InlineData("i", SignatureError.None)]
    [InlineData("a{sv}", SignatureError.None)]
    [InlineData("(ii)", SignatureError.None)]
    [InlineData("", SignatureError.NotSingleCompleteType)]
    [InlineData("ii", SignatureError.NotSingleCompleteType)]
    [InlineData("a", SignatureError.ArrayWithoutElement)]
    public void A_variant_signature_is_one_complete_type(string signature, SignatureError expected) =>
        Assert.Equal(expected, DBusSignature.ValidateSingleCompleteType(System.Text.Encoding.ASCII.GetBytes(signature)));
}
