# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Mean attention entropy of each head (nats), your head_entropy' noenhanced
set xlabel 'head' noenhanced
set ylabel 'layer' noenhanced
set cblabel 'entropy (nats)' noenhanced
set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')
set xrange [-0.5:3.5]
set yrange [3.5:-0.5]
$map << EOD
0 0 2.086391769
1 0 0.8617013915
2 0 0.6358899499
3 0 1.383365395

0 1 2.395766168
1 1 0.9702507314
2 1 2.687327532
3 1 1.829281405

0 2 0.6102582486
1 2 0.5616317377
2 2 0.7995526413
3 2 1.44443953

0 3 0.678160833
1 3 0.9609305859
2 3 0.823558436
3 3 1.831589461

EOD
plot $map using 1:2:3 with image notitle
