#!/usr/bin/python3
"""An MIT GSS-API peer for the kerberos package's tests, through Debian's python3-gssapi.

It plays a WinRM client (initiate) or service (accept) and seals messages the way pyspnego does
for WinRM: gss_wrap_iov over [HEADER, DATA, PADDING] with confidentiality, gss_unwrap_iov over
[HEADER, DATA, DATA]. The Go test drives it with one command a line on stdin and reads one answer
a line on stdout; byte strings travel in base64.

    gss_peer.py initiate|accept krb5|spnego [channel-bindings-application-data-hex]

initiate reads the user's password from the first stdin line (KRB5_CONFIG names the realm),
prints TOKEN, and takes REPLY; accept (KRB5_KTNAME names the keytab) takes TOKEN and prints REPLY.
Then READY, and commands: SEAL msg -> SEALED header data; UNSEAL header data -> PLAIN msg;
UNWRAP header data -> PLAIN msg (plain gss_unwrap of header + data); QUIT. A GSS failure
answers ERROR; the peer keeps going, unless the context failed. "-" is the empty string.
"""

import base64
import sys

import gssapi
import gssapi.raw as raw
from gssapi.raw import IOV, IOVBufferType

MECHS = {
    "krb5": gssapi.OID.from_int_seq("1.2.840.113554.1.2.2"),
    "spnego": gssapi.OID.from_int_seq("1.3.6.1.5.5.2"),
}
SPN = "HTTP/ipam.ipam.test@IPAM.TEST"
USER = "alice@IPAM.TEST"


def b64(b):
    # "-" stands for the empty string, so that every word of a line is there.
    return base64.b64encode(b).decode() if b else "-"


def unb64(s):
    return b"" if s == "-" else base64.b64decode(s)


def say(*words):
    print(" ".join(words), flush=True)


def handshake(mode, mech, bindings):
    flags = [
        gssapi.RequirementFlag.mutual_authentication,
        gssapi.RequirementFlag.replay_detection,
        gssapi.RequirementFlag.out_of_sequence_detection,
        gssapi.RequirementFlag.confidentiality,
        gssapi.RequirementFlag.integrity,
    ]
    if mode == "initiate":
        password = sys.stdin.readline().rstrip("\n").encode()
        user = gssapi.Name(USER, gssapi.NameType.kerberos_principal)
        creds = raw.acquire_cred_with_password(user, password, usage="initiate", mechs=[mech]).creds
        ctx = gssapi.SecurityContext(
            name=gssapi.Name(SPN, gssapi.NameType.kerberos_principal),
            creds=gssapi.Credentials(creds), mech=mech, flags=flags, usage="initiate",
            channel_bindings=bindings)
        say("TOKEN", b64(ctx.step()))
        verb, arg = sys.stdin.readline().split()
        assert verb == "REPLY", verb
        ctx.step(unb64(arg))
    else:
        ctx = gssapi.SecurityContext(creds=gssapi.Credentials(usage="accept"), usage="accept",
                                     channel_bindings=bindings)
        verb, arg = sys.stdin.readline().split()
        assert verb == "TOKEN", verb
        say("REPLY", b64(ctx.step(unb64(arg))))
    if not ctx.complete:
        raise SystemExit("the context is not complete after one round")
    say("READY", str(ctx.initiator_name).rstrip("\x00"))
    return ctx


def seal(ctx, msg):
    # pyspnego's wrap_winrm: the header and padding buffers allocated by the library.
    iov = IOV((IOVBufferType.header, True, None), (IOVBufferType.data, False, msg),
              (IOVBufferType.padding, True, None), std_layout=False)
    raw.wrap_iov(ctx, iov, confidential=True)
    header, data, padding = iov[0].value, iov[1].value, iov[2].value
    return header, (data or b"") + (padding or b"")


def unseal(ctx, header, data):
    # pyspnego's unwrap_winrm for MIT: HEADER, DATA and an empty DATA buffer.
    iov = IOV((IOVBufferType.header, False, header), (IOVBufferType.data, False, data),
              (IOVBufferType.data, False, None), std_layout=False)
    raw.unwrap_iov(ctx, iov)
    return iov[1].value


def main():
    mode, mech = sys.argv[1], MECHS[sys.argv[2]]
    bindings = None
    if len(sys.argv) > 3:
        bindings = raw.ChannelBindings(application_data=bytes.fromhex(sys.argv[3]))
    try:
        ctx = handshake(mode, mech, bindings)
    except gssapi.exceptions.GSSError as e:
        say("ERROR", " ".join(str(e).split()))
        return
    for line in sys.stdin:
        verb, *args = line.split()
        try:
            if verb == "QUIT":
                return
            if verb == "SEAL":
                header, data = seal(ctx, unb64(args[0]))
                say("SEALED", b64(header), b64(data))
            elif verb == "UNSEAL":
                say("PLAIN", b64(unseal(ctx, unb64(args[0]), unb64(args[1]))))
            elif verb == "UNWRAP":
                say("PLAIN", b64(raw.unwrap(ctx, unb64(args[0]) + unb64(args[1])).message))
            else:
                say("ERROR", "unknown command " + verb)
        except gssapi.exceptions.GSSError as e:
            say("ERROR", " ".join(str(e).split()))


if __name__ == "__main__":
    main()
