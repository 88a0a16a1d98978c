import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TicketsError } from './errors.ts';
import { DEFAULT_WORKFLOW } from './seed.ts';
import type { WorkflowInput } from './types.ts';
import { validateWorkflow, workflowProblems } from './workflow.ts';

function refusal(fn: () => void): { state?: unknown; reason?: unknown; transition?: unknown } {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TicketsError);
    assert.equal(err.code, 'TICKETS_INVALID_WORKFLOW');
    return err.details ?? {};
  }
  assert.fail('expected TICKETS_INVALID_WORKFLOW');
}

const base = (): WorkflowInput => structuredClone(DEFAULT_WORKFLOW);

describe('validateWorkflow()', () => {
  it('accepts the shipped default workflow', () => {
    assert.doesNotThrow(() => validateWorkflow(base()));
  });

  it('names an undefined initial state', () => {
    const wf = { ...base(), initial: 'triage' };
    assert.deepEqual(
      refusal(() => validateWorkflow(wf)),
      { reason: 'unknown_state', state: 'triage' },
    );
  });

  it('names the unknown state a transition points to', () => {
    const wf = base();
    wf.transitions.push({ from: 'l2', to: 'l3' });
    const d = refusal(() => validateWorkflow(wf));
    assert.equal(d.state, 'l3');
    assert.equal(d.transition, 'l2->l3');
  });

  it('names a state no transition reaches', () => {
    const wf = base();
    wf.states.push({ id: 'limbo', category: 'open' });
    wf.transitions.push({ from: 'limbo', to: 'closed' });
    assert.deepEqual(
      refusal(() => validateWorkflow(wf)),
      { reason: 'unreachable', state: 'limbo' },
    );
  });

  it('names an open state with no way out', () => {
    const wf = base();
    wf.transitions = wf.transitions.filter((t) => t.from !== 'l2');
    const d = refusal(() => validateWorkflow(wf));
    assert.equal(d.reason, 'dead_end');
    assert.equal(d.state, 'l2');
  });

  it('names a duplicated state and a guard naming an unknown state', () => {
    const dup = base();
    dup.states.push({ id: 'l1', category: 'open' });
    assert.equal(refusal(() => validateWorkflow(dup)).state, 'l1');
    const guard = base();
    guard.transitions[2] = { from: 'l1', to: 'l2', guards: [{ kind: 'visited', state: 'l2_junior' }] };
    assert.equal(refusal(() => validateWorkflow(guard)).state, 'l2_junior');
  });
});

describe('workflowProblems()', () => {
  it('lists every problem, each on its state or transition, and validate(all) carries them', () => {
    const wf = base();
    wf.transitions.push({ from: 'closed', to: 'closed' }, { from: 'l1', to: 'l2' });
    wf.states.push({ id: 'limbo', category: 'open' });
    const problems = workflowProblems(wf).map(({ message: _m, ...p }) => p);
    assert.deepEqual(problems, [
      { reason: 'self_loop', state: 'closed', transition: 'closed->closed' },
      { reason: 'duplicate_transition', state: 'l1', transition: 'l1->l2' },
      { reason: 'unreachable', state: 'limbo' },
      { reason: 'dead_end', state: 'limbo' },
    ]);
    const details = refusal(() => validateWorkflow(wf, { all: true })) as { problems?: unknown };
    assert.deepEqual(details.problems, problems);
    assert.deepEqual(workflowProblems(base()), []);
  });
});
