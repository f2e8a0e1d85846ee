"""Critic-labelled preference data: sample answers with a policy, judge pairs with a critic, write DPO pairs."""
