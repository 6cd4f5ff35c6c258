#!/usr/bin/python3
"""Drive the IPAM emulator with pywinrm, a WS-Management client nobody here wrote.

Debian's python3-winrm (0.3.0) has no WMI helpers, so every call is a complete SOAP envelope built
here and sent with winrm.protocol.Protocol(...).send_message, and every response is read with
Python's own XML parser. Nothing in this file comes from the Go code under test.

Usage: pywinrm_client.py OP [ARG...]; the endpoint and credentials come from IPAM_ENDPOINT,
IPAM_USERNAME and IPAM_PASSWORD, and the transport from IPAM_TRANSPORT ('basic' by default, or
'ntlm'). With 'ntlm', IPAM_MESSAGE_ENCRYPTION is pywinrm's message_encryption: 'never' (the
default here, as to a server that allows unencrypted traffic) or 'always' (every message sealed, as
a Windows server at its defaults requires). It prints one JSON object on stdout: the result, or
{"error": {"type": ..., "message": ...}} when pywinrm raised. It exits non-zero only when the
script itself fails (bad usage, a response it cannot read).

  add-provider NAME OWNER DESCRIPTION      AddProviderAddressSpace
  add-customer NAME PROVIDER ISOLATION     AddCustomerAddressSpace
  query WQL MAXELEMENTS                    Enumerate (optimized) + Pull until EndOfSequence
  update INSTANCEID NAME DESCRIPTION       BulkAddOrUpdateAddressSpace, one item
  delete NAME...                           BulkDeleteAddressSpace, one item per name
"""
import json
import os
import sys
import uuid
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

from winrm.protocol import Protocol

NS_XSI = 'http://www.w3.org/2001/XMLSchema-instance'
WMI = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/microsoft/ipam'
CLASS_URI = WMI + '/MSFT_IPAM_AddressSpace'
WILDCARD_URI = WMI + '/*'
ENUMERATION = 'http://schemas.xmlsoap.org/ws/2004/09/enumeration'
WQL = 'http://schemas.microsoft.com/wbem/wsman/1/WQL'
MAX_PAGES = 1000


def envelope(endpoint, resource_uri, action, body):
    return (
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"'
        ' xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing"'
        ' xmlns:wsman="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"'
        ' xmlns:wsen="http://schemas.xmlsoap.org/ws/2004/09/enumeration"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<s:Header>'
        '<wsa:To>%s</wsa:To>'
        '<wsman:ResourceURI s:mustUnderstand="true">%s</wsman:ResourceURI>'
        '<wsa:ReplyTo><wsa:Address s:mustUnderstand="true">'
        'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:Address></wsa:ReplyTo>'
        '<wsa:Action s:mustUnderstand="true">%s</wsa:Action>'
        '<wsman:MaxEnvelopeSize s:mustUnderstand="true">512000</wsman:MaxEnvelopeSize>'
        '<wsa:MessageID>uuid:%s</wsa:MessageID>'
        '<wsman:Locale xml:lang="en-US" s:mustUnderstand="false"/>'
        '<wsman:OperationTimeout>PT60.000S</wsman:OperationTimeout>'
        '</s:Header><s:Body>%s</s:Body></s:Envelope>'
    ) % (escape(endpoint), resource_uri, action, str(uuid.uuid4()).upper(), body)


def params(method, values):
    inner = ''.join('<p:%s>%s</p:%s>' % (k, escape(v), k) for k, v in values)
    return '<p:%s_INPUT xmlns:p="%s">%s</p:%s_INPUT>' % (method, CLASS_URI, inner, method)


def embedded_items(method, items):
    body = ''
    for item in items:
        body += '<p:AddressSpace xsi:type="p:MSFT_IPAM_AddressSpace_Type">'
        body += ''.join('<p:%s>%s</p:%s>' % (k, escape(v), k) for k, v in item)
        body += '</p:AddressSpace>'
    return '<p:%s_INPUT xmlns:p="%s">%s</p:%s_INPUT>' % (method, CLASS_URI, body, method)


def local(tag):
    return tag.rsplit('}', 1)[-1]


def instance(el):
    """An instance element as a dict of property name to text; xsi:nil is None."""
    out = {}
    for child in el:
        if child.get('{%s}nil' % NS_XSI) == 'true':
            out[local(child.tag)] = None
        else:
            out[local(child.tag)] = child.text or ''
    return out


def body_of(response):
    if response is None:
        raise SystemExit('pywinrm returned None: a 500 without a SOAP 1.2 fault')
    root = ET.fromstring(response)
    body = [c for c in root if local(c.tag) == 'Body']
    if len(body) != 1 or len(body[0]) != 1:
        raise SystemExit('response has no single body element: %r' % response[:300])
    return body[0][0]


def method_output(response, method):
    out = body_of(response)
    if local(out.tag) != method + '_OUTPUT':
        raise SystemExit('expected %s_OUTPUT, got %s' % (method, local(out.tag)))
    result = {'namespace': out.tag[1:].split('}')[0], 'returnValue': None, 'output': None, 'statuses': []}
    for child in out:
        name = local(child.tag)
        if name == 'ReturnValue':
            result['returnValue'] = int(child.text)
        elif name == 'output':
            result['output'] = instance(child)
        elif name == 'Output':
            result['statuses'].append(instance(child))
    return result


def invoke(proto, endpoint, method, body):
    return method_output(proto.send_message(envelope(endpoint, CLASS_URI, CLASS_URI + '/' + method, body)), method)


def query(proto, endpoint, wql, max_elements):
    body = ('<wsen:Enumerate><wsman:OptimizeEnumeration/><wsman:MaxElements>%d</wsman:MaxElements>'
            '<wsman:Filter Dialect="%s">%s</wsman:Filter></wsen:Enumerate>') % (max_elements, WQL, escape(wql))
    resp = body_of(proto.send_message(envelope(endpoint, WILDCARD_URI, ENUMERATION + '/Enumerate', body)))
    items, pages, pulls = [], 1, 0
    while True:
        context, end = None, False
        for child in resp:
            name = local(child.tag)
            if name == 'EnumerationContext':
                context = (child.text or '').strip()
            elif name == 'Items':
                items.extend(instance(i) for i in child)
            elif name == 'EndOfSequence':
                end = True
        if end:
            break
        if not context or pages >= MAX_PAGES:
            raise SystemExit('enumeration neither ends nor continues (page %d)' % pages)
        body = ('<wsen:Pull><wsen:EnumerationContext>%s</wsen:EnumerationContext>'
                '<wsen:MaxElements>%d</wsen:MaxElements></wsen:Pull>') % (escape(context), max_elements)
        resp = body_of(proto.send_message(envelope(endpoint, WILDCARD_URI, ENUMERATION + '/Pull', body)))
        if local(resp.tag) != 'PullResponse':
            raise SystemExit('expected PullResponse, got %s' % local(resp.tag))
        pages += 1
        pulls += 1
    return {'items': items, 'pages': pages, 'pulls': pulls}


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    endpoint = os.environ['IPAM_ENDPOINT']
    transport = os.environ.get('IPAM_TRANSPORT', 'basic')
    extra = {}
    if transport == 'ntlm':
        extra['message_encryption'] = os.environ.get('IPAM_MESSAGE_ENCRYPTION', 'never')
    proto = Protocol(endpoint, transport=transport,
                     username=os.environ['IPAM_USERNAME'], password=os.environ['IPAM_PASSWORD'], **extra)
    op, args = argv[1], argv[2:]
    arity = {'add-provider': 3, 'add-customer': 3, 'query': 2, 'update': 3}
    if op not in arity and op != 'delete' or arity.get(op, len(args)) != len(args) or not args:
        raise SystemExit('bad usage: %r\n%s' % (argv[1:], __doc__))
    try:
        if op == 'add-provider':
            name, owner, description = args
            result = invoke(proto, endpoint, 'AddProviderAddressSpace', params(
                'AddProviderAddressSpace', [('Name', name), ('Owner', owner), ('Description', description)]))
        elif op == 'add-customer':
            name, provider, isolation = args
            result = invoke(proto, endpoint, 'AddCustomerAddressSpace', params(
                'AddCustomerAddressSpace',
                [('Name', name), ('AssociatedProviderAddressSpace', provider), ('IsolationMethod', isolation)]))
        elif op == 'query':
            wql, max_elements = args
            result = query(proto, endpoint, wql, int(max_elements))
        elif op == 'update':
            instance_id, name, description = args
            result = invoke(proto, endpoint, 'BulkAddOrUpdateAddressSpace', embedded_items(
                'BulkAddOrUpdateAddressSpace',
                [[('InstanceID', instance_id), ('Name', name), ('Description', description)]]))
        elif op == 'delete':
            result = invoke(proto, endpoint, 'BulkDeleteAddressSpace', embedded_items(
                'BulkDeleteAddressSpace', [[('Name', n)] for n in args]))
        else:
            raise SystemExit('unknown operation %r' % op)
    except SystemExit:
        raise
    except Exception as e:  # what pywinrm raised is the result
        result = {'error': {'type': '%s.%s' % (type(e).__module__, type(e).__name__), 'message': str(e)}}
    json.dump(result, sys.stdout, sort_keys=True)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main(sys.argv)
