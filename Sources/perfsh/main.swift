import Shell

print("perfsh")
