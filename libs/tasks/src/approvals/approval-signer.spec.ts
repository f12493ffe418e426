import { ApprovalSigner, argumentsHash, canonicalJson } from './approval-signer';
import type { ApprovalRecord } from './approval.interfaces';

const OLD = { kid: 'old', secret: 'the-old-approval-key-0123456789abcdef' };
const NEW = { kid: 'new', secret: 'the-new-approval-key-0123456789abcdef' };

const request = (signer: ApprovalSigner): ApprovalRecord => {
  const record: ApprovalRecord = {
    approvalId: 'ap-1',
    server: 'web',
    tool: 'purge_pages',
    argumentsHash: argumentsHash({ tenant: 't1' }),
    caller: { subject: 'alice', tenant: 't1' },
    taskId: 'task-1',
    approvers: 'pages:approve',
    createdAt: 1_000,
    expiresAt: 61_000,
    kid: signer.kid,
    signature: '',
    status: 'pending',
  };
  return { ...record, signature: signer.signRequest(record) };
};

describe('ApprovalSigner', () => {
  it('hashes arguments canonically: key order does not matter, values do', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,1]},"b":1}',
    );
    expect(argumentsHash({ a: 1, b: 2 })).toBe(argumentsHash({ b: 2, a: 1 }));
    expect(argumentsHash({ a: 1 })).not.toBe(argumentsHash({ a: '1' }));
  });

  it('verifies what it signed, and nothing changed after', () => {
    const signer = new ApprovalSigner([NEW]);
    const record = request(signer);
    expect(signer.verifyRequest(record)).toBe(true);
    for (const change of [
      { approvers: 'other:scope' },
      { expiresAt: 9_999_999 },
      { caller: { subject: 'mallory', tenant: 't1' } },
      { argumentsHash: argumentsHash({ tenant: 't2' }) },
      { taskId: 'task-2' },
      { signature: record.signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) },
    ])
      expect(signer.verifyRequest({ ...record, ...change })).toBe(false);
  });

  it('rotates: signs with the first key, verifies with any configured kid, not with a removed one', () => {
    const before = new ApprovalSigner([OLD]);
    const signedOld = request(before);
    const during = new ApprovalSigner([NEW, OLD]);
    expect(during.kid).toBe('new');
    expect(during.verifyRequest(signedOld)).toBe(true);
    expect(during.verifyRequest(request(during))).toBe(true);
    const after = new ApprovalSigner([NEW]);
    expect(after.verifyRequest(signedOld)).toBe(false);
    // A record naming a key the server does not have, with a signature made by another key.
    const attacker = new ApprovalSigner([
      { kid: 'new', secret: 'a-key-the-attacker-made-up-0123456789' },
    ]);
    expect(after.verifyRequest(request(attacker))).toBe(false);
  });

  it('signs decisions: an approval written without the key does not verify', () => {
    const signer = new ApprovalSigner([NEW]);
    const decided: ApprovalRecord = {
      ...request(signer),
      status: 'approved',
      decidedBy: { subject: 'bob', tenant: 't1' },
      decidedAt: 2_000,
      decisionKid: 'new',
    };
    const signed = { ...decided, decisionSignature: signer.signDecision(decided, 'approved') };
    expect(signer.verifyDecision(signed, 'approved')).toBe(true);
    expect(signer.verifyDecision(signed, 'denied')).toBe(false);
    expect(
      signer.verifyDecision(
        { ...signed, decidedBy: { subject: 'alice', tenant: 't1' } },
        'approved',
      ),
    ).toBe(false);
    expect(signer.verifyDecision({ ...decided, decisionSignature: 'forged' }, 'approved')).toBe(
      false,
    );
  });

  it('refuses keys that cannot sign safely', () => {
    expect(() => new ApprovalSigner([])).toThrow(/at least one/);
    expect(() => new ApprovalSigner([{ kid: 'k', secret: 'short' }])).toThrow(/at least 32 bytes/);
    expect(() => new ApprovalSigner([NEW, NEW])).toThrow(/listed twice/);
    expect(() => new ApprovalSigner([{ kid: 'a b', secret: NEW.secret }])).toThrow(/kid/);
  });
});
