"""Self-critic Best-of-N: the policy samples N answers and judges them pairwise.

python -m critic_r1_ext.self_critic --model PATH --data FILE --n 128
"""
