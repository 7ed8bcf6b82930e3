"""The model as judge: `check --judge` scores profiles on HR's five criteria."""
